#version 450
// Round splats: fragments outside the inscribed disc of the point square are dropped. Points of one
// or two pixels stay whole (their single pixel may lie off the disc when the centre is not centred).
layout(location = 0) flat in vec3 in_color;
layout(location = 1) flat in float in_size_px;
layout(location = 0) out vec4 out_color;

void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (in_size_px > 2.5 && dot(d, d) > 0.25) discard;
  out_color = vec4(in_color, 1.0);
}
