// `xwam bench fusion`: our multi-view fusion against Open3D's own path on the same inputs, same run.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/geometry/DepthFusion.h"
#include "engine/geometry/Open3dReferenceFusion.h"

namespace {
using xwam::geometry::CameraModel;
using xwam::geometry::DepthView;

// Camera at `eye` looking at `target` (OpenCV axes: z forward, y down, world z up).
CameraModel look_at(const std::string& name, const Eigen::Vector3d& eye, const Eigen::Vector3d& target, int W, int H) {
  CameraModel cam;
  cam.name = name;
  cam.width = W, cam.height = H;
  cam.fx = cam.fy = 0.8 * W;
  cam.cx = W / 2.0, cam.cy = H / 2.0;
  const Eigen::Vector3d z = (target - eye).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  cam.T_world_cam.setIdentity();
  cam.T_world_cam.block<3, 1>(0, 0) = x;
  cam.T_world_cam.block<3, 1>(0, 1) = y;
  cam.T_world_cam.block<3, 1>(0, 2) = z;
  cam.T_world_cam.block<3, 1>(0, 3) = eye;
  return cam;
}

// Ray-cast z-depth and colour of a 1.2 m table (z = 0) with a sphere on it; off the table is invalid.
void render(const CameraModel& cam, const Eigen::Vector3d& sphere, double radius, std::vector<float>& depth,
            std::vector<uint8_t>& rgb) {
  const Eigen::Matrix3d R = cam.T_world_cam.topLeftCorner<3, 3>();
  const Eigen::Vector3d o = cam.T_world_cam.topRightCorner<3, 1>();
  depth.assign(static_cast<size_t>(cam.width) * cam.height, 0.0f);
  rgb.assign(depth.size() * 3, 0);
  for (int j = 0; j < cam.height; ++j)
    for (int i = 0; i < cam.width; ++i) {
      const Eigen::Vector3d ray_cam((i + 0.5 - cam.cx) / cam.fx, (j + 0.5 - cam.cy) / cam.fy, 1.0);
      const Eigen::Vector3d d = R * ray_cam;  // world direction per unit z-depth
      double s = -o.z() / d.z();              // table hit
      int colour = 0;
      const Eigen::Vector3d oc = o - sphere;
      const double a = d.squaredNorm(), b = 2 * oc.dot(d), c = oc.squaredNorm() - radius * radius;
      const double disc = b * b - 4 * a * c;
      if (disc >= 0 && (-b - std::sqrt(disc)) / (2 * a) > 0) s = (-b - std::sqrt(disc)) / (2 * a), colour = 1;
      const Eigen::Vector3d p = o + s * d;
      if (s <= 0 || (colour == 0 && (std::abs(p.x()) > 0.6 || std::abs(p.y()) > 0.6))) continue;
      const size_t px = static_cast<size_t>(j) * cam.width + i;
      depth[px] = static_cast<float>(s);
      const bool checker = (static_cast<int>(std::floor(p.x() * 10)) + static_cast<int>(std::floor(p.y() * 10))) & 1;
      rgb[3 * px + 0] = colour ? 220 : (checker ? 200 : 90);
      rgb[3 * px + 1] = colour ? 40 : (checker ? 180 : 70);
      rgb[3 * px + 2] = colour ? 40 : (checker ? 150 : 50);
    }
}

// Median over `repeats` timed runs after one untimed warm-up run.
template <typename F>
double median_ms(int repeats, F&& work) {
  work();
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}
}  // namespace

XWAM_BENCH(fusion, "Multi-view depth fusion: ours vs Open3D's CreateFromRGBDImage path",
           "xwam bench fusion [--views 3] [--frames 9] [--width 320] [--height 240] [--repeat 21]", {"json"}) {
  using namespace xwam::geometry;
  const int V = static_cast<int>(args.get_int("views", 3)), T = static_cast<int>(args.get_int("frames", 9));
  const int W = static_cast<int>(args.get_int("width", 320)), H = static_cast<int>(args.get_int("height", 240));
  const int repeats = static_cast<int>(args.get_int("repeat", 21));
  args.flag("json");  // the output is JSON either way
  args.check_all_used();
  if (V < 1 || V > 255 || T < 1 || W < 1 || H < 1 || repeats < 1) throw xwam::Error("bench fusion: sizes must be positive");

  // Inputs: V cameras around the table, a sphere rolling across it over T frames.
  std::vector<CameraModel> cams;
  for (int v = 0; v < V; ++v) {
    const double angle = 2.0 * M_PI * v / V;
    cams.push_back(look_at("cam" + std::to_string(v), {1.1 * std::cos(angle), 1.1 * std::sin(angle), 0.9}, {0, 0, 0}, W, H));
  }
  std::vector<std::vector<float>> depth(static_cast<size_t>(V) * T);
  std::vector<std::vector<uint8_t>> rgb(depth.size());
  std::vector<std::vector<DepthView>> frames(T);
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v) {
      const size_t i = static_cast<size_t>(t) * V + v;
      render(cams[v], {-0.3 + 0.6 * t / std::max(1, T - 1), 0.0, 0.1}, 0.1, depth[i], rgb[i]);
      frames[t].push_back({cams[v], depth[i].data(), rgb[i].data()});
    }

  FusionOptions options;
  std::vector<CloudFrame> ours(T);
  std::vector<ReferenceCloud> reference(T);
  const double ours_ms = median_ms(repeats, [&] {
    for (int t = 0; t < T; ++t) ours[t] = fuse_views(frames[t], options);
  });
  std::vector<double> open3d_runs;
  for (int r = 0; r <= repeats; ++r) {  // run 0 is the warm-up
    double total = 0;
    for (int t = 0; t < T; ++t) {
      reference[t] = fuse_views_open3d(frames[t], options.max_depth_m);
      total += reference[t].open3d_ms;
    }
    if (r > 0) open3d_runs.push_back(total);
  }
  std::sort(open3d_runs.begin(), open3d_runs.end());
  const double open3d_ms = open3d_runs[open3d_runs.size() / 2];

  // Same points, same order: the largest coordinate difference over all frames.
  size_t points = 0;
  double max_diff = 0;
  bool same_count = true;
  for (int t = 0; t < T; ++t) {
    points += ours[t].size();
    if (reference[t].xyz.size() != ours[t].xyz.size()) {
      same_count = false;
      continue;
    }
    for (size_t k = 0; k < ours[t].xyz.size(); ++k)
      max_diff = std::max(max_diff, std::abs(static_cast<double>(ours[t].xyz[k]) - reference[t].xyz[k]));
  }

  nlohmann::json j{{"bench", "fusion"},
                   {"views", V},
                   {"frames", T},
                   {"width", W},
                   {"height", H},
                   {"repeat", repeats},
                   {"ours_ms", ours_ms},
                   {"open3d_ms", open3d_ms},
                   {"speedup", open3d_ms / ours_ms},
                   {"points", points},
                   {"same_point_count", same_count},
                   {"max_point_diff_m", same_count ? nlohmann::json(max_diff) : nlohmann::json(nullptr)}};
#ifdef XWAM_GEOMETRY_CUDA
  if (cuda_device_available()) {
    std::vector<CloudFrame> gpu(T);
    j["cuda_ms"] = median_ms(repeats, [&] {
      for (int t = 0; t < T; ++t) {
        gpu[t] = CloudFrame{};
        for (int v = 0; v < V; ++v) unproject_view_cuda(frames[t][v], static_cast<uint8_t>(v), options, gpu[t]);
      }
    });
    double cuda_diff = 0;
    for (int t = 0; t < T; ++t)
      for (size_t k = 0; k < std::min(gpu[t].xyz.size(), ours[t].xyz.size()); ++k)
        cuda_diff = std::max(cuda_diff, static_cast<double>(std::abs(gpu[t].xyz[k] - ours[t].xyz[k])));
    j["cuda_max_point_diff_m"] = cuda_diff;
  } else {
    j["cuda_ms"] = nullptr;
  }
#endif
  std::printf("%s\n", j.dump(2).c_str());
  return same_count && max_diff <= 1e-5 ? 0 : 1;
}
