// Point-cloud metrics: nearest-neighbour distances between clouds and the Chamfer distance.
#pragma once
#include <vector>

#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

// For every point of `from`, the Euclidean distance in metres to its nearest point of `to`.
// Throws xwam::Error when `to` is empty and `from` is not.
std::vector<float> nearest_distances(const CloudFrame& from, const CloudFrame& to);

// Chamfer distance in m², the common definition (e.g. PyTorch3D's chamfer_distance with mean reduction):
//   CD(A, B) = 1/|A| Σ_a min_b ‖a − b‖² + 1/|B| Σ_b min_a ‖a − b‖²
// i.e. the SUM of the two directed means of SQUARED nearest distances (not halved, not square-rooted).
// Two empty clouds give 0; exactly one empty cloud throws xwam::Error.
// Example: a cloud and the same cloud shifted by s (s smaller than half the point spacing) give 2·s².
double chamfer_distance(const CloudFrame& a, const CloudFrame& b);

}  // namespace xwam::geometry
