#version 450
// Compute-path point rasterization: each invocation projects points and keeps, at every pixel of a
// point's splat, the nearest point with a 64-bit atomicMin of (depth bits << 32 | colour): depth in
// [0, 1] is a non-negative float, so its bits order like the depths, and the resolve pass needs nothing
// but the winner. For picking the low word is the point's index instead of its colour.
#extension GL_GOOGLE_include_directive : require
#extension GL_ARB_gpu_shader_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
#include "common.glsl"

layout(local_size_x = 128) in;
// 2^subPixelPrecisionBits of the device (render/PointRaster.cpp sets it).
layout(constant_id = 0) const float kSubpixelSteps = 256.0;

// render/PointRaster.cpp mirrors it (RasterPush): 128 bytes, the guaranteed push-constant size.
layout(push_constant) uniform Raster {
  mat4 view_proj;    // world → clip; clip w is the camera depth
  vec4 size;         // x: point size px, y: point size m (> 0 wins), z: focal length px, w: error at the top of the scale (m)
  vec4 tint;         // rgb, and how much of it replaces the point's colour
  vec2 colormap;     // depth or height range (m)
  uint flags;        // bits 0-7: colour mode; bit 8: write point indices (picking); bits 16-30: target width;
                     // bit 31: the recorded cloud
  uint rect_origin;  // viewport in the target: x | y << 16
  uint rect_size;    // width | height << 16
  uint skip;         // first point of this dispatch within the bound range
  uint count;        // points of this dispatch
  uint base;         // index of the bound range's first point in the sequence (picking)
} pc;

layout(set = 0, binding = 0) buffer Winners { uint64_t winner[]; };
// PointVertex (render/Pipeline.h): 5 words: position, rgb + view (unorm8 × 4), error (m).
layout(set = 0, binding = 1) readonly buffer Points { uint data[]; } cloud;

const uint kPick = 1u << 8;
const uint kRecorded = 1u << 31;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const ivec2 rect_lo = ivec2(pc.rect_origin & 0xffffu, pc.rect_origin >> 16);
  const ivec2 rect_size = ivec2(pc.rect_size & 0xffffu, pc.rect_size >> 16);
  const uint row = (pc.flags >> 16) & 0x7fffu;
  for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
    const uint index = pc.skip + i;
    const uint w = 5u * index;
    const vec4 p = vec4(uintBitsToFloat(cloud.data[w]), uintBitsToFloat(cloud.data[w + 1u]),
                        uintBitsToFloat(cloud.data[w + 2u]), 1.0);
    const vec4 clip = pc.view_proj * p;
    // Points outside the clip volume are dropped whole, as the hardware path drops them.
    if (!(clip.w > 0.0) || any(greaterThan(abs(clip.xy), vec2(clip.w))) || clip.z < 0.0 || clip.z > clip.w) continue;
    const vec3 ndc = clip.xyz / clip.w;
    // The centre snapped to the rasterizer's sub-pixel grid, as the hardware path's vertices are.
    const vec2 centre = round((vec2(rect_lo) + (ndc.xy * 0.5 + 0.5) * vec2(rect_size)) * kSubpixelSteps) / kSubpixelSteps;
    const float s = splat_size_px(pc.size.x, pc.size.y, pc.size.z, clip.w);

    uint low;
    if ((pc.flags & kPick) != 0u) {
      low = (pc.base + index) | (pc.flags & kRecorded);
    } else {
      // Only the words the colour mode needs are read (each read costs on a CPU device).
      const int mode = int(pc.flags & 0xffu);
      const vec4 rgb_view = mode == kColorRgb || mode == kColorView ? unpackUnorm4x8(cloud.data[w + 3u]) : vec4(0.0);
      const float error_m = mode == kColorError ? uintBitsToFloat(cloud.data[w + 4u]) : 0.0;
      const vec3 color = point_color(mode, rgb_view.rgb, int(rgb_view.a * 255.0 + 0.5), error_m, p.xyz, clip.w,
                                     vec3(pc.colormap, pc.size.w));
      low = packUnorm4x8(vec4(mix(color, pc.tint.rgb, pc.tint.a), 1.0));
    }
    const uint64_t value = (uint64_t(floatBitsToUint(ndc.z) & 0x7fffffffu) << 32) | uint64_t(low);

    // Pixels whose centre lies in [centre − s/2, centre + s/2) (the point rasterization rule), within
    // the viewport; splats wider than 2.5 px keep only their inscribed disc, as points.frag does.
    const vec2 corner = centre - 0.5 * s;
    const ivec2 lo = max(ivec2(ceil(corner - 0.5)), rect_lo);
    const ivec2 hi = min(ivec2(ceil(corner + s - 0.5)) - 1, rect_lo + rect_size - 1);
    if (lo == hi) {  // one pixel: the common case at a distance
      atomicMin(winner[uint(lo.y) * row + uint(lo.x)], value);
      continue;
    }
    const bool round_splat = s > 2.5;
    for (int y = lo.y; y <= hi.y; ++y)
      for (int x = lo.x; x <= hi.x; ++x) {
        if (round_splat) {
          const vec2 d = (vec2(x, y) + 0.5 - corner) / s - 0.5;
          if (dot(d, d) > 0.25) continue;
        }
        atomicMin(winner[uint(y) * row + uint(x)], value);
      }
  }
}
