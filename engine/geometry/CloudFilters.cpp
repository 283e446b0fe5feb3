// Voxel downsampling (own, to carry view/confidence/error along) and Open3D's statistical outlier removal.
#include "engine/geometry/CloudFilters.h"

#include <open3d/geometry/PointCloud.h>

#include <cmath>
#include <unordered_map>

#include "engine/core/Error.h"

namespace xwam::geometry {

namespace {
struct VoxelKey {
  int64_t x, y, z;
  bool operator==(const VoxelKey& o) const { return x == o.x && y == o.y && z == o.z; }
};
struct VoxelKeyHash {
  size_t operator()(const VoxelKey& k) const {
    return static_cast<size_t>(k.x * 73856093LL ^ k.y * 19349663LL ^ k.z * 83492791LL);
  }
};
struct VoxelSum {
  double xyz[3] = {0, 0, 0};
  double rgb[3] = {0, 0, 0};
  double confidence = 0, error = 0;
  uint8_t view = 0;
  int count = 0;
};
}  // namespace

CloudFrame voxel_downsample(const CloudFrame& cloud, double voxel_size_m) {
  if (!(voxel_size_m > 0)) throw Error("voxel size must be positive, got " + std::to_string(voxel_size_m));
  std::unordered_map<VoxelKey, size_t, VoxelKeyHash> index;
  std::vector<VoxelSum> sums;
  const double inv = 1.0 / voxel_size_m;
  for (size_t i = 0; i < cloud.size(); ++i) {
    const VoxelKey key{static_cast<int64_t>(std::floor(cloud.xyz[3 * i] * inv)),
                       static_cast<int64_t>(std::floor(cloud.xyz[3 * i + 1] * inv)),
                       static_cast<int64_t>(std::floor(cloud.xyz[3 * i + 2] * inv))};
    auto [it, inserted] = index.try_emplace(key, sums.size());
    if (inserted) {
      sums.emplace_back();
      sums.back().view = cloud.view[i];
    }
    VoxelSum& s = sums[it->second];
    for (int k = 0; k < 3; ++k) {
      s.xyz[k] += cloud.xyz[3 * i + k];
      s.rgb[k] += cloud.rgb[3 * i + k];
    }
    if (!cloud.confidence.empty()) s.confidence += cloud.confidence[i];
    if (!cloud.error.empty()) s.error += cloud.error[i];
    ++s.count;
  }
  CloudFrame out;
  out.xyz.reserve(3 * sums.size());
  out.rgb.reserve(3 * sums.size());
  out.view.reserve(sums.size());
  for (const VoxelSum& s : sums) {
    for (int k = 0; k < 3; ++k) {
      out.xyz.push_back(static_cast<float>(s.xyz[k] / s.count));
      out.rgb.push_back(static_cast<uint8_t>(std::lround(s.rgb[k] / s.count)));
    }
    out.view.push_back(s.view);
    if (!cloud.confidence.empty()) out.confidence.push_back(static_cast<float>(s.confidence / s.count));
    if (!cloud.error.empty()) out.error.push_back(static_cast<float>(s.error / s.count));
  }
  return out;
}

std::vector<size_t> statistical_inliers(const CloudFrame& cloud, int neighbors, double std_ratio) {
  if (neighbors <= 0 || !(std_ratio > 0))
    throw Error("outlier removal needs neighbours > 0 and std ratio > 0");
  open3d::geometry::PointCloud pc;
  pc.points_.resize(cloud.size());
  for (size_t i = 0; i < cloud.size(); ++i) pc.points_[i] = cloud.point(i).cast<double>();
  const auto [filtered, kept] = pc.RemoveStatisticalOutliers(static_cast<size_t>(neighbors), std_ratio);
  return std::vector<size_t>(kept.begin(), kept.end());
}

}  // namespace xwam::geometry
