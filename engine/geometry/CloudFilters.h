// Point-cloud clean-up that keeps every per-point attribute: voxel downsampling and statistical
// outlier removal.
#pragma once
#include <cstddef>
#include <vector>

#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

// One point per occupied voxel of edge `voxel_size_m` (grid anchored at the world origin): mean
// position, mean colour, mean confidence/error, and the view of the voxel's first point. Voxels come
// out in the order of their first point. Throws xwam::Error when voxel_size_m ≤ 0.
CloudFrame voxel_downsample(const CloudFrame& cloud, double voxel_size_m);

// Indices (ascending) of the points whose mean distance to their `neighbors` nearest neighbours is
// at most mean + std_ratio·std over the cloud (Open3D's RemoveStatisticalOutliers).
std::vector<size_t> statistical_inliers(const CloudFrame& cloud, int neighbors, double std_ratio);

}  // namespace xwam::geometry
