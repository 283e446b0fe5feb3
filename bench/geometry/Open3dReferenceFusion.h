// Open3D's own multi-view fusion, the two baselines of `xwam bench fusion`, each on the same work as
// fuse_views (every valid pixel of every view, coloured, in the world frame, one cloud):
//   legacy: per view one RGBDImage, PointCloud::CreateFromRGBDImage with the view's extrinsic (no
//           separate transform pass), double precision, appended to one cloud reserved up front;
//   tensor: per view a t::geometry::RGBDImage over the view's own buffers (no copy),
//           t::geometry::PointCloud::CreateFromRGBDImage with intrinsics and extrinsics in one call,
//           float32 points, appended to one cloud.
#pragma once
#include <vector>

#include "engine/geometry/DepthFusion.h"

namespace xwam::bench {

struct ReferenceCloud {
  std::vector<double> xyz;  // N·3 metres, world frame, in fuse_views' order (view, row, column)
  std::vector<double> rgb;  // N·3 in [0, 1]
  double open3d_ms = 0;     // time spent in Open3D (images, unprojection with the extrinsic, one cloud)
};

// Every pixel with 0 < z ≤ max_depth_m of every view; no stride or filters. Views need RGB; throws
// xwam::Error naming the camera otherwise.
ReferenceCloud fuse_views_open3d_legacy(const std::vector<geometry::DepthView>& views, float max_depth_m);
ReferenceCloud fuse_views_open3d_tensor(const std::vector<geometry::DepthView>& views, float max_depth_m);

}  // namespace xwam::bench
