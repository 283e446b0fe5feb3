#include "engine/data/importers/RobomimicImporter.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/importers/DeriveActions.h"
#include "engine/data/importers/MujocoCamera.h"

namespace xwam::data {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string json_string_field(const std::string& text, const char* key) {
  try {
    auto j = nlohmann::json::parse(text);
    if (j.contains(key) && j.at(key).is_string()) return j.at(key).get<std::string>();
  } catch (const std::exception&) {
  }
  return "";
}

// Reads a T×D array and checks its shape, naming the key.
std::vector<double> rows(const h5::Group& g, const std::string& key, int64_t T, int64_t D, const std::string& where) {
  auto shape = g.shape(key);
  int64_t width = 1;
  for (size_t i = 1; i < shape.size(); ++i) width *= shape[i];
  if (shape.empty() || shape[0] != T || width != D)
    throw Error(g.file(), where + " key " + key, "expected " + std::to_string(T) + "x" + std::to_string(D) + " values");
  auto values = g.read<double>(key);
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw Error(g.file(), where + " key " + key, "non-finite value at frame " + std::to_string(i / D));
  return values;
}

}  // namespace

void import_robomimic(const std::string& path, const ImportOptions& options, const EpisodeSink& sink,
                      const ProgressFn& progress) {
  auto lock = h5::lock();
  h5::Group root = h5::open_file(path);
  if (!root.has_group("data")) throw Error(path, "not a robomimic file (no /data group)");
  h5::Group data = root.group("data");
  std::string env_name;
  if (data.has_attr("env_args")) env_name = json_string_field(data.attr_string("env_args"), "env_name");

  std::vector<std::pair<int, std::string>> demos;
  for (const auto& name : data.children())
    if (name.rfind("demo_", 0) == 0) demos.emplace_back(std::atoi(name.c_str() + 5), name);
  std::sort(demos.begin(), demos.end());
  if (demos.empty()) throw Error(path, "no data/demo_N groups");
  const bool metric_depth = !(options.depth_near_m > 0 && options.depth_far_m > options.depth_near_m);
  bool warned = false;

  for (size_t n = 0; n < demos.size(); ++n) {
    const std::string& demo = demos[n].second;
    const std::string where = "demo " + demo;
    h5::Group g = data.group(demo);
    if (!g.has_group("obs")) throw Error(path, where, "missing group obs");
    h5::Group obs = g.group("obs");
    for (const char* key : {"robot0_eef_pos", "robot0_eef_quat", "robot0_gripper_qpos"})
      if (!obs.has_dataset(key)) throw Error(path, where + " key obs/" + key, "missing dataset");
    const int64_t T = obs.shape("robot0_eef_pos")[0];
    if (T < 2) throw Error(path, where, "fewer than 2 frames");

    Episode ep;
    ep.name = demo;
    ep.task = env_name;
    ep.fps = options.fps;
    ep.num_frames = ep.total_frames = static_cast<int>(T);
    if (g.has_attr("ep_meta")) ep.instruction = json_string_field(g.attr_string("ep_meta"), "lang");
    if (ep.instruction.empty()) {
      ep.instruction = env_name;
      std::replace(ep.instruction.begin(), ep.instruction.end(), '_', ' ');
    }

    // States: robot0 (and robot1 when present).
    ep.states.assign(static_cast<size_t>(T) * kStateDim, 0.f);
    for (int arm = 0; arm < kArms; ++arm) {
      const std::string prefix = "robot" + std::to_string(arm) + "_";
      if (!obs.has_dataset(prefix + "eef_pos")) continue;
      auto pos = rows(obs, prefix + "eef_pos", T, 3, where);
      auto quat = rows(obs, prefix + "eef_quat", T, 4, where);
      auto qpos = rows(obs, prefix + "gripper_qpos", T, 2, where);
      for (int64_t t = 0; t < T; ++t) {
        ArmPose pose;
        pose.pose.translation() = Eigen::Vector3d(pos[t * 3], pos[t * 3 + 1], pos[t * 3 + 2]);
        // robosuite quaternions are (x, y, z, w).
        Eigen::Quaterniond q(quat[t * 4 + 3], quat[t * 4], quat[t * 4 + 1], quat[t * 4 + 2]);
        if (q.norm() < 1e-8) throw Error(path, where + " key obs/" + prefix + "eef_quat", "zero quaternion at frame " + std::to_string(t));
        pose.pose.linear() = q.normalized().toRotationMatrix();
        pose.gripper = qpos[t * 2] - qpos[t * 2 + 1];
        encode_state(pose, ep.states.data() + t * kStateDim + arm * kStatePerArm);
      }
      for (int d = 0; d < kStatePerArm; ++d) ep.state_mask[arm * kStatePerArm + d] = 1;
    }
    derive_actions(ep);

    // Cameras: every <camera>_image, with <camera>_depth when present; intrinsics from the camera's fovy in
    // the demo's MJCF (`model_file`), converted to the OpenCV convention.
    const std::string mjcf = g.has_attr("model_file") ? g.attr_string("model_file") : std::string();
    for (const auto& key : obs.children()) {
      if (!ends_with(key, "_image")) continue;
      const std::string name = key.substr(0, key.size() - 6);
      if (!options.cameras.empty() && std::find(options.cameras.begin(), options.cameras.end(), name) == options.cameras.end())
        continue;
      auto shape = obs.shape(key);
      if (shape.size() != 4 || shape[0] != T || shape[3] != 3)
        throw Error(path, where + " key obs/" + key, "expected T x H x W x 3 uint8 images");
      CameraInfo cam;
      cam.name = name;
      cam.height = static_cast<int>(shape[1]);
      cam.width = static_cast<int>(shape[2]);
      if (name.find("eye_in_hand") != std::string::npos) cam.mount = CameraMount::Wrist;
      if (const auto fovy = mjcf_camera_fovy(mjcf, name)) cam.intrinsics = intrinsics_from_mujoco_fovy(*fovy, cam.width, cam.height);
      std::vector<uint8_t> rgb = obs.read<uint8_t>(key);
      std::vector<float> depth;
      if (obs.has_dataset(name + "_depth")) {
        auto dshape = obs.shape(name + "_depth");
        if (dshape.size() < 3 || dshape[0] != T || dshape[1] != shape[1] || dshape[2] != shape[2])
          throw Error(path, where + " key obs/" + name + "_depth", "shape disagrees with the images");
        depth = obs.read<float>(name + "_depth");
        if (!metric_depth) {
          const double n = options.depth_near_m, f = options.depth_far_m;
          for (float& d : depth) d = static_cast<float>(n / (1.0 - d * (1.0 - n / f)));
        } else if (!warned && options.warn &&
                   std::all_of(depth.begin(), depth.end(), [](float d) { return d >= 0.f && d <= 1.f; })) {
          // A robosuite z-buffer is normalized to [0, 1]; as metres it would squash the scene.
          options.warn(path + ": " + where + " key obs/" + name + "_depth: all values lie in [0, 1], probably a "
                       "normalized z-buffer; pass --depth-near/--depth-far to convert it to metres");
          warned = true;
        }
        cam.has_depth = true;
      }
      if (options.flip_vertical) {
        const size_t row = static_cast<size_t>(cam.width) * 3, drow = cam.width;
        for (int64_t t = 0; t < T; ++t)
          for (int y = 0; y < cam.height / 2; ++y) {
            uint8_t* a = rgb.data() + (t * cam.height + y) * row;
            uint8_t* b = rgb.data() + (t * cam.height + cam.height - 1 - y) * row;
            std::swap_ranges(a, a + row, b);
            if (!depth.empty()) {
              float* da = depth.data() + (t * cam.height + y) * drow;
              std::swap_ranges(da, da + drow, depth.data() + (t * cam.height + cam.height - 1 - y) * drow);
            }
          }
      }
      ep.cameras.push_back(cam);
      ep.rgb.push_back(std::move(rgb));
      ep.depth.push_back(std::move(depth));
    }
    if (ep.cameras.empty()) throw Error(path, where, "no <camera>_image datasets (or none of the requested cameras)");

    // The source's own arrays: raw controller actions and every low-dimensional observation.
    if (g.has_dataset("actions")) ep.source["actions"] = SourceArray{g.shape("actions"), g.read<double>("actions")};
    for (const auto& key : obs.children()) {
      if (ends_with(key, "_image") || ends_with(key, "_depth") || obs.kind(key) == h5::Kind::String) continue;
      ep.source["obs/" + key] = SourceArray{obs.shape(key), obs.read<double>(key)};
    }
    ep.validate(path);
    sink(std::move(ep));
    if (progress) progress({"import", static_cast<long long>(n + 1), static_cast<long long>(demos.size()), demo});
  }
}

std::vector<Episode> import_robomimic_all(const std::string& path, const ImportOptions& options,
                                          const ProgressFn& progress) {
  std::vector<Episode> episodes;
  import_robomimic(path, options, [&](Episode&& ep) { episodes.push_back(std::move(ep)); }, progress);
  return episodes;
}

}  // namespace xwam::data
