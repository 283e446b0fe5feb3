// Open3D's own multi-view fusion path, kept as the baseline the fusion benchmark and tests compare with:
// per view CreateFromColorAndDepth → PointCloud::CreateFromRGBDImage → Transform, then concatenate.
#pragma once
#include <vector>

#include "engine/geometry/DepthFusion.h"

namespace xwam::geometry {

struct ReferenceCloud {
  std::vector<double> xyz;  // N·3 metres, world frame, same point order as fuse_views (view, row, column)
  std::vector<double> rgb;  // N·3 in [0, 1]
  double open3d_ms = 0;     // time spent in Open3D (image wrapping, unprojection, transform, concatenation)
};

// Every valid pixel (0 < z ≤ max_depth_m) of every view, no stride or filters. Views need RGB.
ReferenceCloud fuse_views_open3d(const std::vector<DepthView>& views, float max_depth_m);

}  // namespace xwam::geometry
