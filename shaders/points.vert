#version 450
// Point clouds as screen-space splats: size in pixels, or in metres scaled by focal length / depth.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(location = 0) in vec3 in_position;  // world, metres
layout(location = 1) in vec4 in_rgb_view;  // rgb, and the source view index / 255 in alpha
layout(location = 2) in float in_error;    // metres, < 0 when the point has none

layout(location = 0) out vec3 out_color;
layout(location = 1) flat out float out_size_px;

void main() {
  vec4 p = vec4(in_position, 1.0);
  gl_Position = pc.view_proj * p;
  float z = dot(pc.depth_row, p);
  float size_px = pc.size.y > 0.0 ? pc.size.y * pc.size.z / max(z, 1e-4) : pc.size.x;
  gl_PointSize = clamp(size_px, 1.0, 64.0);
  out_size_px = gl_PointSize;

  int mode = int(pc.size.w + 0.5);
  vec3 color = in_rgb_view.rgb;
  if (mode == kColorDepth) {
    color = turbo((z - pc.range.x) / max(pc.range.y - pc.range.x, 1e-6));
  } else if (mode == kColorHeight) {
    color = turbo((in_position.z - pc.range.x) / max(pc.range.y - pc.range.x, 1e-6));
  } else if (mode == kColorError) {
    color = in_error < 0.0 ? kNoErrorGrey : error_heat(in_error / max(pc.range.z, 1e-9));
  } else if (mode == kColorView) {
    color = view_color(int(in_rgb_view.a * 255.0 + 0.5));
  }
  out_color = mix(color, pc.tint.rgb, pc.tint.a);
}
