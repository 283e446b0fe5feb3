// Unprojection of depth views into one world cloud, view agreement and the post-processing chain.
#include "engine/geometry/DepthFusion.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/geometry/CloudFilters.h"

namespace xwam::geometry {

namespace {
bool depth_valid(float z, const FusionOptions& o) { return z > 0.0f && z >= o.min_depth_m && z <= o.max_depth_m; }

// Valid pixels of a view under the options' stride and depth range.
size_t count_valid(const DepthView& view, const FusionOptions& options) {
  const CameraModel& cam = view.camera;
  const int stride = std::max(1, options.stride);
  size_t n = 0;
  // Every pixel: one contiguous loop the compiler vectorises.
  if (stride == 1) {
    const float zmin = options.min_depth_m, zmax = options.max_depth_m;
    const size_t pixels = static_cast<size_t>(cam.width) * cam.height;
    for (size_t p = 0; p < pixels; ++p) {
      const float z = view.depth_m[p];
      n += (z > 0.0f) & (z >= zmin) & (z <= zmax);
    }
    return n;
  }
  for (int j = 0; j < cam.height; j += stride) {
    const float* drow = view.depth_m + static_cast<size_t>(j) * cam.width;
    for (int i = 0; i < cam.width; i += stride) n += depth_valid(drow[i], options);
  }
  return n;
}

void check_view(const DepthView& view) {
  const CameraModel& cam = view.camera;
  if (!view.depth_m) throw Error("", "camera " + cam.name, "no depth for this frame");
  if (cam.width <= 0 || cam.height <= 0 || cam.fx <= 0 || cam.fy <= 0)
    throw Error("", "camera " + cam.name, "camera has no valid size or focal length");
}

// Writes the valid pixels of `view` to P (xyz), C (rgb) and V (view index); returns how many.
size_t unproject_into(const DepthView& view, uint8_t view_index, const FusionOptions& options, float* P, uint8_t* C,
                      uint8_t* V) {
  const CameraModel& cam = view.camera;
  const int W = cam.width, H = cam.height, stride = std::max(1, options.stride);
  // Options and rotation as locals: the float stores below could alias them otherwise, forcing reloads.
  const float zmin = options.min_depth_m, zmax = options.max_depth_m;

  // World ray of pixel (i, j) per unit z: R·[xf(i), yf(j), 1] = R.col0·xf(i) + (R.col1·yf(j) + R.col2).
  const Eigen::Matrix3f R = cam.T_world_cam.topLeftCorner<3, 3>().cast<float>();
  const float r00 = R(0, 0), r10 = R(1, 0), r20 = R(2, 0);
  const float tx = static_cast<float>(cam.T_world_cam(0, 3)), ty = static_cast<float>(cam.T_world_cam(1, 3)),
              tz = static_cast<float>(cam.T_world_cam(2, 3));
  std::vector<float> xf(W);
  for (int i = 0; i < W; ++i) xf[i] = static_cast<float>((i - cam.cx) / cam.fx);

  size_t n = 0;
  for (int j = 0; j < H; j += stride) {
    const float yf = static_cast<float>((j - cam.cy) / cam.fy);
    const float bx = R(0, 1) * yf + R(0, 2), by = R(1, 1) * yf + R(1, 2), bz = R(2, 1) * yf + R(2, 2);
    const float* drow = view.depth_m + static_cast<size_t>(j) * W;
    const uint8_t* crow = view.rgb ? view.rgb + static_cast<size_t>(j) * W * 3 : nullptr;
    for (int i = 0; i < W; i += stride) {
      const float z = drow[i];
      if (!(z > 0.0f && z >= zmin && z <= zmax)) continue;
      const float x = xf[i];
      float* p = P + 3 * n;
      p[0] = z * (r00 * x + bx) + tx;
      p[1] = z * (r10 * x + by) + ty;
      p[2] = z * (r20 * x + bz) + tz;
      uint8_t* c = C + 3 * n;
      if (crow) {
        c[0] = crow[3 * i + 0];
        c[1] = crow[3 * i + 1];
        c[2] = crow[3 * i + 2];
      } else {
        c[0] = c[1] = c[2] = 128;
      }
      V[n] = view_index;
      ++n;
    }
  }
  return n;
}

// Depth of view b at continuous (u, v) (pixel centres at integers, u ∈ [−0.5, W − 0.5)): bilinear between the four nearest pixel centres when all are valid
// and within 10% of each other (a smooth surface; slanted planes change by a few % per pixel at low
// resolution), else the pixel under (u, v). 0 = invalid.
double sample_depth(const float* depth, int W, int H, double u, double v) {
  constexpr float kSmooth = 0.1f;
  const float nearest = depth[static_cast<size_t>(v + 0.5) * W + static_cast<size_t>(u + 0.5)];
  if (!(nearest > 0.0f) || !std::isfinite(nearest)) return 0.0;
  const double x = u, y = v;
  const int i0 = static_cast<int>(std::floor(x)), j0 = static_cast<int>(std::floor(y));
  if (i0 < 0 || j0 < 0 || i0 + 1 >= W || j0 + 1 >= H) return nearest;
  const float d00 = depth[static_cast<size_t>(j0) * W + i0], d10 = depth[static_cast<size_t>(j0) * W + i0 + 1];
  const float d01 = depth[static_cast<size_t>(j0 + 1) * W + i0], d11 = depth[static_cast<size_t>(j0 + 1) * W + i0 + 1];
  const float lo = std::min(std::min(d00, d10), std::min(d01, d11)), hi = std::max(std::max(d00, d10), std::max(d01, d11));
  if (!(lo > 0.0f) || !std::isfinite(hi) || hi - lo > kSmooth * lo) return nearest;
  const double fx = x - i0, fy = y - j0;
  return (1 - fy) * ((1 - fx) * d00 + fx * d10) + fy * ((1 - fx) * d01 + fx * d11);
}
}  // namespace

std::vector<float> view_agreement(const CloudFrame& cloud, const std::vector<DepthView>& views, float tolerance) {
  // World-to-camera rotations/translations once per view.
  struct Proj {
    Eigen::Matrix3d Rt;
    Eigen::Vector3d t;
  };
  std::vector<Proj> proj;
  for (const auto& v : views) {
    const Eigen::Matrix3d R = v.camera.T_world_cam.topLeftCorner<3, 3>();
    proj.push_back({R.transpose(), v.camera.T_world_cam.topRightCorner<3, 1>()});
  }
  std::vector<float> conf(cloud.size());
  for (size_t p = 0; p < cloud.size(); ++p) {
    const Eigen::Vector3d pw = cloud.point(p).cast<double>();
    int checked = 0, agreeing = 0;
    for (size_t b = 0; b < views.size(); ++b) {
      if (b == cloud.view[p]) continue;
      const CameraModel& cam = views[b].camera;
      const Eigen::Vector3d pc = proj[b].Rt * (pw - proj[b].t);
      if (pc.z() <= 0) continue;
      const double u = cam.fx * pc.x() / pc.z() + cam.cx, v = cam.fy * pc.y() / pc.z() + cam.cy;
      if (!(u >= -0.5 && v >= -0.5 && u < cam.width - 0.5 && v < cam.height - 0.5)) continue;
      const double D = sample_depth(views[b].depth_m, cam.width, cam.height, u, v);
      if (!(D > 0.0)) continue;
      if (pc.z() > D * (1.0 + tolerance)) continue;  // occluded in view b: no evidence either way
      ++checked;
      if (std::abs(pc.z() - D) <= tolerance * D) ++agreeing;
    }
    conf[p] = static_cast<float>(1 + agreeing) / static_cast<float>(1 + checked);
  }
  return conf;
}

CloudFrame fuse_views(const std::vector<DepthView>& views, const FusionOptions& options) {
  if (views.size() > 255) throw Error("fusion supports at most 255 views, got " + std::to_string(views.size()));
  // Count first so the arrays are sized once, then each view writes its own slice.
  std::vector<size_t> offset(views.size() + 1, 0);
  for (size_t v = 0; v < views.size(); ++v) {
    check_view(views[v]);
    offset[v + 1] = offset[v] + count_valid(views[v], options);
  }
  CloudFrame cloud;
  cloud.xyz.resize(3 * offset.back());
  cloud.rgb.resize(3 * offset.back());
  cloud.view.resize(offset.back());
  for (size_t v = 0; v < views.size(); ++v)
    unproject_into(views[v], static_cast<uint8_t>(v), options, cloud.xyz.data() + 3 * offset[v],
                   cloud.rgb.data() + 3 * offset[v], cloud.view.data() + offset[v]);

  if (options.confidence) {
    cloud.confidence = view_agreement(cloud, views, options.agreement_tolerance);
    if (options.min_confidence > 0) {
      std::vector<size_t> keep;
      for (size_t i = 0; i < cloud.size(); ++i)
        if (cloud.confidence[i] >= options.min_confidence) keep.push_back(i);
      cloud = cloud.select(keep);
    }
  }
  if (options.voxel_size_m > 0) cloud = voxel_downsample(cloud, options.voxel_size_m);
  if (options.outlier_neighbors > 0)
    cloud = cloud.select(statistical_inliers(cloud, options.outlier_neighbors, options.outlier_std_ratio));
  return cloud;
}

std::vector<float> depth_from_inverse(const float* normalized_inverse, size_t count, const InverseDepthRange& range) {
  if (!(range.near_m > 0 && range.far_m > range.near_m))
    throw Error("inverse depth range needs 0 < near < far, got near " + std::to_string(range.near_m) + " far " +
                std::to_string(range.far_m));
  const float inv_far = 1.0f / range.far_m, inv_span = 1.0f / range.near_m - inv_far;
  std::vector<float> depth(count);
  for (size_t i = 0; i < count; ++i) {
    const float n = normalized_inverse[i];
    depth[i] = (std::isfinite(n) && n > 0.0f) ? 1.0f / (inv_far + std::min(n, 1.0f) * inv_span) : 0.0f;
  }
  return depth;
}

}  // namespace xwam::geometry
