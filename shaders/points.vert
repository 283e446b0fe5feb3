#version 450
// Point clouds as screen-space splats: size in pixels, or in metres scaled by focal length / depth.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "push.glsl"

layout(location = 0) in vec3 in_position;  // world, metres
layout(location = 1) in vec4 in_rgb_view;  // rgb, and the source view index / 255 in alpha
layout(location = 2) in float in_error;    // metres, < 0 when the point has none

layout(location = 0) flat out vec3 out_color;  // flat: one colour per point, exactly as computed
layout(location = 1) flat out float out_size_px;

void main() {
  vec4 p = vec4(in_position, 1.0);
  gl_Position = pc.view_proj * p;
  float z = dot(pc.depth_row, p);
  gl_PointSize = splat_size_px(pc.size.x, pc.size.y, pc.size.z, z);
  out_size_px = gl_PointSize;
  vec3 color = point_color(int(pc.size.w + 0.5), in_rgb_view.rgb, int(in_rgb_view.a * 255.0 + 0.5), in_error,
                           in_position, z, pc.range.xyz);
  out_color = mix(color, pc.tint.rgb, pc.tint.a);
}
