#version 450
// Compute-path resolve: the point that won a pixel in points_raster.comp gives the pixel its colour
// (the colour modes of points.vert) and its depth, so lines drawn after it are depth-tested against
// the points as in the hardware path. Pixels no point reached are left alone.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

// render/PointRaster.cpp mirrors it (ResolvePush).
layout(push_constant) uniform Resolve {
  vec4 depth_row;  // third row of world → camera
  vec4 range;      // x, y: colormap range (m), z: error at the top of the scale (m), w: colour mode
  vec4 tint[2];    // predicted, recorded: rgb and how much of it replaces the point's colour
  uvec4 target;    // x: target width
} pc;

// (low, high) words of the 64-bit winners: high = depth bits, low = bit 31 recorded | point index.
layout(set = 0, binding = 0) readonly buffer Winners { uvec2 winner[]; };
layout(set = 0, binding = 1) readonly buffer Predicted { uint data[]; } predicted;
layout(set = 0, binding = 2) readonly buffer Recorded { uint data[]; } recorded;

layout(location = 0) out vec4 out_color;

void main() {
  const uvec2 px = uvec2(gl_FragCoord.xy);
  const uvec2 w = winner[px.y * pc.target.x + px.x];
  if (w.y == 0xffffffffu) discard;
  const bool is_recorded = (w.x & 0x80000000u) != 0u;
  const uint base = 5u * (w.x & 0x7fffffffu);
  uint word[5];
  for (uint k = 0u; k < 5u; ++k) word[k] = is_recorded ? recorded.data[base + k] : predicted.data[base + k];
  const vec3 position = vec3(uintBitsToFloat(word[0]), uintBitsToFloat(word[1]), uintBitsToFloat(word[2]));
  const vec4 rgb_view = unpackUnorm4x8(word[3]);
  const float z = dot(pc.depth_row, vec4(position, 1.0));
  const vec3 color = point_color(int(pc.range.w + 0.5), rgb_view.rgb, int(rgb_view.a * 255.0 + 0.5),
                                 uintBitsToFloat(word[4]), position, z, pc.range.xyz);
  const vec4 tint = pc.tint[is_recorded ? 1 : 0];
  out_color = vec4(mix(color, tint.rgb, tint.a), 1.0);
  gl_FragDepth = uintBitsToFloat(w.y);
}
