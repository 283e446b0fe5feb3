// The Open3D baselines of the fusion benchmark: its legacy and tensor unprojection paths.
#include "bench/geometry/Open3dReferenceFusion.h"

#include <open3d/camera/PinholeCameraIntrinsic.h>
#include <open3d/core/Blob.h>
#include <open3d/core/Tensor.h>
#include <open3d/core/TensorFunction.h>
#include <open3d/geometry/Image.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/RGBDImage.h>
#include <open3d/t/geometry/Image.h>
#include <open3d/t/geometry/PointCloud.h>
#include <open3d/t/geometry/RGBDImage.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

#include "bench/Timing.h"
#include "engine/core/Error.h"

namespace xwam::bench {

using geometry::CameraModel;
using geometry::DepthView;
using Clock = std::chrono::steady_clock;

namespace {

void check_view(const DepthView& view) {
  if (!view.depth_m || !view.rgb) throw Error("", "camera " + view.camera.name, "Open3D fusion needs depth and RGB");
}

// A tensor over memory the caller owns (Open3D neither copies nor frees it).
open3d::core::Tensor borrow(const void* data, const open3d::core::SizeVector& shape, open3d::core::Dtype dtype) {
  const open3d::core::Device cpu("CPU:0");
  auto blob = std::make_shared<open3d::core::Blob>(cpu, const_cast<void*>(data), [](void*) {});
  return open3d::core::Tensor(shape, open3d::core::shape_util::DefaultStrides(shape), const_cast<void*>(data), dtype,
                              blob);
}

// Puts view `v`'s points [begin, end) of `out` in fuse_views' pixel order (row, column), found by
// projecting each point back into its camera: Open3D's parallel kernels need not keep that order.
void sort_by_pixel(ReferenceCloud& out, size_t begin, size_t end, const CameraModel& cam) {
  const Eigen::Matrix4d T_cam_world = cam.T_world_cam.inverse();
  std::vector<std::pair<long long, size_t>> keys;
  keys.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const Eigen::Vector3d p = (T_cam_world * Eigen::Vector4d(out.xyz[3 * i], out.xyz[3 * i + 1], out.xyz[3 * i + 2], 1.0)).head<3>();
    const long long col = std::llround(cam.fx * p.x() / p.z() + cam.cx);
    const long long row = std::llround(cam.fy * p.y() / p.z() + cam.cy);
    keys.emplace_back(row * cam.width + col, i);
  }
  std::stable_sort(keys.begin(), keys.end());
  std::vector<double> xyz(3 * keys.size()), rgb(3 * keys.size());
  for (size_t k = 0; k < keys.size(); ++k)
    for (int c = 0; c < 3; ++c) {
      xyz[3 * k + c] = out.xyz[3 * keys[k].second + c];
      rgb[3 * k + c] = out.rgb[3 * keys[k].second + c];
    }
  std::copy(xyz.begin(), xyz.end(), out.xyz.begin() + 3 * begin);
  std::copy(rgb.begin(), rgb.end(), out.rgb.begin() + 3 * begin);
}

}  // namespace

ReferenceCloud fuse_views_open3d_legacy(const std::vector<DepthView>& views, float max_depth_m) {
  for (const DepthView& view : views) check_view(view);
  const auto start = Clock::now();
  open3d::geometry::PointCloud fused;
  size_t pixels = 0;
  for (const DepthView& view : views) pixels += static_cast<size_t>(view.camera.width) * view.camera.height;
  fused.points_.reserve(pixels);
  fused.colors_.reserve(pixels);
  for (const DepthView& view : views) {
    const CameraModel& cam = view.camera;
    // Legacy images own their pixels: one copy in, then the RGBD image once.
    open3d::geometry::Image color, depth;
    color.Prepare(cam.width, cam.height, 3, 1);
    depth.Prepare(cam.width, cam.height, 1, 4);
    std::memcpy(color.data_.data(), view.rgb, color.data_.size());
    std::memcpy(depth.data_.data(), view.depth_m, depth.data_.size());
    const auto rgbd = open3d::geometry::RGBDImage::CreateFromColorAndDepth(color, depth, 1.0, max_depth_m, false);
    const open3d::camera::PinholeCameraIntrinsic K(cam.width, cam.height, cam.fx, cam.fy, cam.cx, cam.cy);
    // The extrinsic maps world to camera; Open3D applies its inverse while unprojecting.
    const auto cloud = open3d::geometry::PointCloud::CreateFromRGBDImage(*rgbd, K, cam.T_world_cam.inverse());
    fused.points_.insert(fused.points_.end(), cloud->points_.begin(), cloud->points_.end());
    fused.colors_.insert(fused.colors_.end(), cloud->colors_.begin(), cloud->colors_.end());
  }
  ReferenceCloud out;
  out.open3d_ms = ms_since(start);
  out.xyz.resize(3 * fused.points_.size());
  out.rgb.resize(3 * fused.points_.size());
  for (size_t i = 0; i < fused.points_.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      out.xyz[3 * i + k] = fused.points_[i][k];
      out.rgb[3 * i + k] = i < fused.colors_.size() ? fused.colors_[i][k] : 0.0;
    }
  return out;
}

ReferenceCloud fuse_views_open3d_tensor(const std::vector<DepthView>& views, float max_depth_m) {
  namespace core = open3d::core;
  namespace tg = open3d::t::geometry;
  for (const DepthView& view : views) check_view(view);
  const auto start = Clock::now();
  std::vector<tg::PointCloud> clouds;
  clouds.reserve(views.size());
  for (const DepthView& view : views) {
    const CameraModel& cam = view.camera;
    const tg::RGBDImage rgbd(tg::Image(borrow(view.rgb, {cam.height, cam.width, 3}, core::UInt8)),
                             tg::Image(borrow(view.depth_m, {cam.height, cam.width, 1}, core::Float32)));
    const core::Tensor K = core::Tensor::Init<double>({{cam.fx, 0, cam.cx}, {0, cam.fy, cam.cy}, {0, 0, 1}});
    const Eigen::Matrix4d T_cam_world = cam.T_world_cam.inverse();
    core::Tensor extrinsic({4, 4}, core::Float64);
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) extrinsic[r][c] = T_cam_world(r, c);
    clouds.push_back(tg::PointCloud::CreateFromRGBDImage(rgbd, K, extrinsic, 1.0f, max_depth_m));
  }
  // One cloud, as fuse_views returns.
  std::vector<core::Tensor> points, colors;
  std::vector<size_t> counts;
  for (const auto& cloud : clouds) {
    points.push_back(cloud.GetPointPositions());
    colors.push_back(cloud.GetPointColors());
    counts.push_back(static_cast<size_t>(cloud.GetPointPositions().GetLength()));
  }
  // (Concatenate of a single tensor would split it along its rows.)
  const core::Tensor all_points = points.size() == 1 ? points[0] : core::Concatenate(points, 0);
  const core::Tensor all_colors = colors.size() == 1 ? colors[0] : core::Concatenate(colors, 0);
  ReferenceCloud out;
  out.open3d_ms = ms_since(start);

  const core::Tensor xyz = all_points.To(core::Float64).Contiguous(), rgb = all_colors.To(core::Float64).Contiguous();
  out.xyz.assign(xyz.GetDataPtr<double>(), xyz.GetDataPtr<double>() + xyz.NumElements());
  out.rgb.assign(rgb.GetDataPtr<double>(), rgb.GetDataPtr<double>() + rgb.NumElements());
  size_t begin = 0;
  for (size_t v = 0; v < views.size(); ++v) {
    sort_by_pixel(out, begin, begin + counts[v], views[v].camera);
    begin += counts[v];
  }
  return out;
}

}  // namespace xwam::bench
