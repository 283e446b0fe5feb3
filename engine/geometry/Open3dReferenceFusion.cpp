// The Open3D baseline of the fusion benchmark.
#include "engine/geometry/Open3dReferenceFusion.h"

#include <open3d/camera/PinholeCameraIntrinsic.h>
#include <open3d/geometry/Image.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/RGBDImage.h>

#include <chrono>
#include <cstring>

#include "engine/core/Error.h"

namespace xwam::geometry {

ReferenceCloud fuse_views_open3d(const std::vector<DepthView>& views, float max_depth_m) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  open3d::geometry::PointCloud fused;
  for (const DepthView& view : views) {
    const CameraModel& cam = view.camera;
    if (!view.depth_m || !view.rgb) throw Error("", "camera " + cam.name, "Open3D fusion needs depth and RGB");
    open3d::geometry::Image color, depth;
    color.Prepare(cam.width, cam.height, 3, 1);
    depth.Prepare(cam.width, cam.height, 1, 4);
    std::memcpy(color.data_.data(), view.rgb, color.data_.size());
    std::memcpy(depth.data_.data(), view.depth_m, depth.data_.size());
    const auto rgbd = open3d::geometry::RGBDImage::CreateFromColorAndDepth(color, depth, 1.0, max_depth_m, false);
    // Open3D puts pixel centres at integer coordinates; ours sit at +0.5 (CameraModel.h), hence the shift.
    const open3d::camera::PinholeCameraIntrinsic K(cam.width, cam.height, cam.fx, cam.fy, cam.cx - 0.5, cam.cy - 0.5);
    auto cloud = open3d::geometry::PointCloud::CreateFromRGBDImage(*rgbd, K);
    cloud->Transform(cam.T_world_cam);
    fused += *cloud;
  }
  ReferenceCloud out;
  out.open3d_ms = std::chrono::duration<double, std::milli>(clock::now() - start).count();
  out.xyz.resize(3 * fused.points_.size());
  out.rgb.resize(3 * fused.colors_.size());
  for (size_t i = 0; i < fused.points_.size(); ++i) {
    for (int k = 0; k < 3; ++k) out.xyz[3 * i + k] = fused.points_[i][k];
    if (i < fused.colors_.size())
      for (int k = 0; k < 3; ++k) out.rgb[3 * i + k] = fused.colors_[i][k];
  }
  return out;
}

}  // namespace xwam::geometry
