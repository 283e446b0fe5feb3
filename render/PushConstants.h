// The push-constant block of the graphics pipelines (points, lines); mirrors `Push` in shaders/push.glsl.
#pragma once
#include "render/Math.h"

namespace xwam::render {

struct PushConstants {
  Mat4 view_proj;               // world → clip
  float depth_row[4] = {};      // third row of world → camera (camera z-depth)
  float size[4] = {};           // point size px, point size m (> 0 wins), focal length px, colour mode
  float range[4] = {};          // colormap range min, max (m), error at the top of the scale (m)
  float tint[4] = {};           // tint rgb, tint weight
};
static_assert(sizeof(PushConstants) == 128, "must match shaders/push.glsl and fit the guaranteed 128 bytes");

}  // namespace xwam::render
