// Nearest-neighbour queries through Open3D's KD-tree (FLANN), split over the machine's cores.
#include "engine/geometry/CloudMetrics.h"

#include <open3d/geometry/KDTreeFlann.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "engine/core/Error.h"

namespace xwam::geometry {

std::vector<float> nearest_distances(const CloudFrame& from, const CloudFrame& to) {
  if (from.size() == 0) return {};
  if (to.size() == 0) throw Error("nearest distances: the target cloud is empty");
  Eigen::MatrixXd data(3, to.size());
  for (size_t i = 0; i < to.size(); ++i) data.col(i) = to.point(i).cast<double>();
  const open3d::geometry::KDTreeFlann tree(data);

  std::vector<float> dist(from.size());
  const size_t workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  const size_t chunk = (from.size() + workers - 1) / workers;
  auto query = [&](size_t begin, size_t end) {
    std::vector<int> index(1);
    std::vector<double> dist2(1);
    for (size_t i = begin; i < end; ++i) {
      const Eigen::Vector3d q = from.point(i).cast<double>();
      tree.SearchKNN(q, 1, index, dist2);
      dist[i] = static_cast<float>(std::sqrt(dist2[0]));
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w)
    threads.emplace_back(query, std::min(from.size(), w * chunk), std::min(from.size(), (w + 1) * chunk));
  query(0, std::min(from.size(), chunk));
  for (auto& t : threads) t.join();
  return dist;
}

double chamfer_distance(const CloudFrame& a, const CloudFrame& b) {
  if (a.size() == 0 && b.size() == 0) return 0.0;
  if (a.size() == 0 || b.size() == 0) throw Error("Chamfer distance: one cloud is empty, the other is not");
  auto mean_sq = [](const std::vector<float>& d) {
    double s = 0;
    for (float v : d) s += static_cast<double>(v) * v;
    return s / static_cast<double>(d.size());
  };
  return mean_sq(nearest_distances(a, b)) + mean_sq(nearest_distances(b, a));
}

}  // namespace xwam::geometry
