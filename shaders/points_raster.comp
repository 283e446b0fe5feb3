#version 450
// Compute-path point rasterization: each invocation projects points and keeps, at every pixel of a
// point's splat, the nearest point with a 64-bit atomicMin of (depth bits << 32 | point tag). Depth in
// [0, 1] is a non-negative float, so its bits order like the depths.
#extension GL_GOOGLE_include_directive : require
#extension GL_ARB_gpu_shader_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
#include "common.glsl"

layout(local_size_x = 128) in;

// render/PointRaster.cpp mirrors it (RasterPush).
layout(push_constant) uniform Raster {
  mat4 view_proj;  // world → clip
  vec4 depth_row;  // third row of world → camera
  vec4 size;       // x: point size px, y: point size m (> 0 wins), z: focal length px
  ivec4 rect;      // the viewport in the target: x, y, width, height
  uvec4 points;    // x: first point in the cloud's buffer, y: count, z: bit 31 for the recorded cloud, w: target width
} pc;

layout(set = 0, binding = 0) buffer Winners { uint64_t winner[]; };
// PointVertex (render/Pipeline.h): 5 words, position first.
layout(set = 0, binding = 1) readonly buffer Predicted { float data[]; } predicted;
layout(set = 0, binding = 2) readonly buffer Recorded { float data[]; } recorded;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.points.y; i += stride) {
    const uint index = pc.points.x + i;
    const uint w = 5u * index;
    vec3 position;
    if (pc.points.z != 0u) position = vec3(recorded.data[w], recorded.data[w + 1u], recorded.data[w + 2u]);
    else position = vec3(predicted.data[w], predicted.data[w + 1u], predicted.data[w + 2u]);
    const vec4 p = vec4(position, 1.0);
    const vec4 clip = pc.view_proj * p;
    // Points outside the clip volume are dropped whole, as the hardware path drops them.
    if (!(clip.w > 0.0) || any(greaterThan(abs(clip.xy), vec2(clip.w))) || clip.z < 0.0 || clip.z > clip.w) continue;
    const vec3 ndc = clip.xyz / clip.w;
    const vec2 centre = vec2(pc.rect.xy) + (ndc.xy * 0.5 + 0.5) * vec2(pc.rect.zw);
    const float s = splat_size_px(pc.size.x, pc.size.y, pc.size.z, dot(pc.depth_row, p));
    const uint64_t value = (uint64_t(floatBitsToUint(ndc.z) & 0x7fffffffu) << 32) | uint64_t(index | pc.points.z);

    // Pixels whose centre lies in [centre − s/2, centre + s/2) (the point rasterization rule), within
    // the viewport; splats wider than 2.5 px keep only their inscribed disc, as points.frag does.
    const vec2 corner = centre - 0.5 * s;
    const ivec2 lo = max(ivec2(ceil(corner - 0.5)), pc.rect.xy);
    const ivec2 hi = min(ivec2(ceil(corner + s - 0.5)) - 1, pc.rect.xy + pc.rect.zw - 1);
    const bool round_splat = s > 2.5;
    for (int y = lo.y; y <= hi.y; ++y)
      for (int x = lo.x; x <= hi.x; ++x) {
        if (round_splat) {
          const vec2 d = (vec2(x, y) + 0.5 - corner) / s - 0.5;
          if (dot(d, d) > 0.25) continue;
        }
        atomicMin(winner[uint(y) * pc.points.w + uint(x)], value);
      }
  }
}
