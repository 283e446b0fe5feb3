// `xwam bench fusion`: our multi-view fusion against Open3D's two paths (legacy double precision and
// the tensor API in float32) on the same inputs in the same run; ours is compared with the faster one.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "bench/geometry/Open3dReferenceFusion.h"
#include "engine/core/Error.h"
#include "engine/geometry/DepthFusion.h"

namespace {
using xwam::geometry::CameraModel;
using xwam::geometry::DepthView;

// Camera at `eye` looking at `target` (OpenCV axes: z forward, y down, world z up).
CameraModel look_at(const std::string& name, const Eigen::Vector3d& eye, const Eigen::Vector3d& target, int W, int H) {
  CameraModel cam;
  cam.name = name;
  cam.width = W, cam.height = H;
  cam.fx = cam.fy = 0.8 * W;
  cam.cx = (W - 1) / 2.0, cam.cy = (H - 1) / 2.0;  // centred, OpenCV
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
      const Eigen::Vector3d ray_cam((i - cam.cx) / cam.fx, (j - cam.cy) / cam.fy, 1.0);
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

// Largest coordinate difference between ours and a reference, or -1 when the point counts differ.
double max_point_diff(const std::vector<xwam::geometry::CloudFrame>& ours, const std::vector<xwam::bench::ReferenceCloud>& ref) {
  double max_diff = 0;
  for (size_t t = 0; t < ours.size(); ++t) {
    if (ref[t].xyz.size() != ours[t].xyz.size()) return -1;
    for (size_t k = 0; k < ours[t].xyz.size(); ++k)
      max_diff = std::max(max_diff, std::abs(static_cast<double>(ours[t].xyz[k]) - ref[t].xyz[k]));
  }
  return max_diff;
}

nlohmann::json diff_json(double diff) { return diff < 0 ? nlohmann::json(nullptr) : nlohmann::json(diff); }
}  // namespace

XWAM_BENCH(fusion, "Multi-view depth fusion: ours vs Open3D's legacy and tensor CreateFromRGBDImage paths",
           "xwam bench fusion [--views 3] [--frames 9] [--width 320] [--height 240] [--repeats 21] [--warmup 1]", {"json"}) {
  using namespace xwam::geometry;
  namespace bench = xwam::bench;
  const int V = static_cast<int>(args.get_int("views", 3)), T = static_cast<int>(args.get_int("frames", 9));
  const int W = static_cast<int>(args.get_int("width", 320)), H = static_cast<int>(args.get_int("height", 240));
  const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 21), args.get_int("warmup", 1));
  args.flag("json");  // the output is JSON either way
  args.check_all_used();
  if (V < 1 || V > 255 || T < 1 || W < 1 || H < 1) throw xwam::Error("bench fusion: sizes must be positive (views at most 255)");

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

  // Each timed run fuses all T frames; Open3D's runs count only the time spent in Open3D.
  FusionOptions options;
  std::vector<CloudFrame> ours(T);
  std::vector<bench::ReferenceCloud> legacy(T), tensor(T);
  const bench::Timing ours_ms = bench::time_runs(timing, [&] {
    for (int t = 0; t < T; ++t) ours[t] = fuse_views(frames[t], options);
  });
  const bench::Timing legacy_ms = bench::time_measured_runs(timing, [&] {
    double total = 0;
    for (int t = 0; t < T; ++t) total += (legacy[t] = bench::fuse_views_open3d_legacy(frames[t], options.max_depth_m)).open3d_ms;
    return total;
  });
  const bench::Timing tensor_ms = bench::time_measured_runs(timing, [&] {
    double total = 0;
    for (int t = 0; t < T; ++t) total += (tensor[t] = bench::fuse_views_open3d_tensor(frames[t], options.max_depth_m)).open3d_ms;
    return total;
  });

  size_t points = 0;
  for (const auto& cloud : ours) points += cloud.size();
  const double legacy_diff = max_point_diff(ours, legacy), tensor_diff = max_point_diff(ours, tensor);
  const bool tensor_faster = tensor_ms.median_ms < legacy_ms.median_ms;
  const double faster_ms = tensor_faster ? tensor_ms.median_ms : legacy_ms.median_ms;

  nlohmann::json j{{"benchmark", "fusion"},
                   {"views", V},
                   {"frames", T},
                   {"width", W},
                   {"height", H},
                   {"warmup", timing.warmup},
                   {"repeats", timing.repeats},
                   {"points", points},
                   {"ours_ms", ours_ms.to_json()},
                   {"open3d_legacy_ms", legacy_ms.to_json()},
                   {"open3d_tensor_ms", tensor_ms.to_json()},
                   {"baseline", tensor_faster ? "open3d_tensor" : "open3d_legacy"},
                   {"speedup", faster_ms / ours_ms.median_ms},
                   {"speedup_vs_legacy", legacy_ms.median_ms / ours_ms.median_ms},
                   {"speedup_vs_tensor", tensor_ms.median_ms / ours_ms.median_ms},
                   {"legacy_max_point_diff_m", diff_json(legacy_diff)},
                   {"tensor_max_point_diff_m", diff_json(tensor_diff)}};
#ifdef XWAM_GEOMETRY_CUDA
  if (cuda_device_available()) {
    std::vector<CloudFrame> gpu(T);
    j["cuda_ms"] = bench::time_runs(timing, [&] {
      for (int t = 0; t < T; ++t) {
        gpu[t] = CloudFrame{};
        for (int v = 0; v < V; ++v) unproject_view_cuda(frames[t][v], static_cast<uint8_t>(v), options, gpu[t]);
      }
    }).to_json();
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
  // The same points from every path, or the comparison means nothing: a non-zero exit says so.
  const bool same = legacy_diff >= 0 && legacy_diff <= 1e-5 && tensor_diff >= 0 && tensor_diff <= 1e-5;
  return same ? 0 : 1;
}
