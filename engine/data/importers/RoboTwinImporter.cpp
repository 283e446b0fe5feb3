#include "engine/data/importers/RoboTwinImporter.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/importers/DeriveActions.h"
#include "engine/data/importers/ImageDecoder.h"

namespace xwam::data {
namespace fs = std::filesystem;

namespace {

const char* const kArmKeys[kArms] = {"left", "right"};

// "<dir>/data/episode7.hdf5" → "<dir>/instructions/episode7.json": first "seen" instruction.
std::string instruction_beside(const std::string& path) {
  const fs::path p(path);
  const fs::path json = p.parent_path().parent_path() / "instructions" / (p.stem().string() + ".json");
  if (!fs::exists(json)) return "";
  try {
    std::ifstream in(json);
    auto j = nlohmann::json::parse(in);
    if (j.contains("seen") && j.at("seen").is_array() && !j.at("seen").empty()) return j.at("seen").at(0).get<std::string>();
  } catch (const std::exception& e) {
    throw Error(json.string(), std::string("unreadable instruction file: ") + e.what());
  }
  return "";
}

// Per-frame (T×r×c) or constant (r×c) matrices as T row-major blocks.
std::vector<double> per_frame(const h5::Group& g, const std::string& key, int64_t T, int r, int c, const std::string& where) {
  auto shape = g.shape(key);
  auto values = g.read<double>(key);
  if (shape.size() == 2 && shape[0] == r && shape[1] == c) {
    std::vector<double> out;
    for (int64_t t = 0; t < T; ++t) out.insert(out.end(), values.begin(), values.end());
    return out;
  }
  if (shape.size() == 3 && shape[0] == T && shape[1] == r && shape[2] == c) return values;
  throw Error(g.file(), where + " key " + key, "expected " + std::to_string(r) + "x" + std::to_string(c) +
                                                  " per episode or per frame");
}

Eigen::Matrix4d world_from_cv_extrinsic(const double* m34) {
  Eigen::Matrix4d world_to_cam = Eigen::Matrix4d::Identity();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) world_to_cam(r, c) = m34[r * 4 + c];
  return world_to_cam.inverse();
}

}  // namespace

Episode import_robotwin_episode(const std::string& path, const ImportOptions& options) {
  auto lock = h5::lock();
  h5::Group root = h5::open_file(path);
  const std::string where = "episode " + fs::path(path).stem().string();
  for (const char* g : {"observation", "endpose"})
    if (!root.has_group(g)) throw Error(path, where, std::string("missing group ") + g + " (not a RoboTwin 2.0 episode?)");
  h5::Group endpose = root.group("endpose");
  if (!endpose.has_dataset("left_endpose")) throw Error(path, where + " key endpose/left_endpose", "missing dataset");
  const int64_t T = endpose.shape("left_endpose")[0];
  if (T < 2) throw Error(path, where, "fewer than 2 frames");

  Episode ep;
  ep.name = fs::path(path).stem().string();
  ep.task = fs::path(path).parent_path().parent_path().parent_path().filename().string();
  ep.fps = options.fps;
  ep.num_frames = ep.total_frames = static_cast<int>(T);
  ep.instruction = instruction_beside(path);
  if (ep.instruction.empty()) ep.instruction = ep.task;

  // States from the end poses (xyz + wxyz) and gripper openness.
  ep.states.assign(static_cast<size_t>(T) * kStateDim, 0.f);
  for (int arm = 0; arm < kArms; ++arm) {
    const std::string pose_key = std::string(kArmKeys[arm]) + "_endpose", grip_key = std::string(kArmKeys[arm]) + "_gripper";
    if (!endpose.has_dataset(pose_key)) continue;
    auto shape = endpose.shape(pose_key);
    if (shape.size() != 2 || shape[0] != T || shape[1] != 7)
      throw Error(path, where + " key endpose/" + pose_key, "expected T x 7 (xyz + quaternion wxyz)");
    auto pose = endpose.read<double>(pose_key);
    std::vector<double> grip(static_cast<size_t>(T), 0.0);
    if (endpose.has_dataset(grip_key)) {
      grip = endpose.read<double>(grip_key);
      if (static_cast<int64_t>(grip.size()) != T) throw Error(path, where + " key endpose/" + grip_key, "expected T values");
    }
    for (int64_t t = 0; t < T; ++t) {
      const double* p = pose.data() + t * 7;
      if (!std::all_of(p, p + 7, [](double v) { return std::isfinite(v); }) || !std::isfinite(grip[t]))
        throw Error(path, where + " key endpose/" + kArmKeys[arm], "non-finite pose or gripper at frame " + std::to_string(t));
      Eigen::Quaterniond q(p[3], p[4], p[5], p[6]);
      if (q.norm() < 1e-8) throw Error(path, where + " key endpose/" + pose_key, "zero quaternion at frame " + std::to_string(t));
      ArmPose arm_pose;
      arm_pose.pose.translation() = Eigen::Vector3d(p[0], p[1], p[2]);
      arm_pose.pose.linear() = q.normalized().toRotationMatrix();
      arm_pose.gripper = grip[t];
      encode_state(arm_pose, ep.states.data() + t * kStateDim + arm * kStatePerArm);
    }
    for (int d = 0; d < kStatePerArm; ++d) ep.state_mask[arm * kStatePerArm + d] = 1;
  }
  derive_actions(ep);

  // Cameras.
  h5::Group observation = root.group("observation");
  for (const auto& name : observation.children()) {
    if (!observation.has_group(name)) continue;
    if (!options.cameras.empty() && std::find(options.cameras.begin(), options.cameras.end(), name) == options.cameras.end())
      continue;
    const std::string cam_where = where + " camera " + name;
    h5::Group g = observation.group(name);
    if (!g.has_dataset("rgb")) throw Error(path, cam_where, "missing dataset rgb");
    CameraInfo cam;
    cam.name = name;
    std::vector<uint8_t> rgb;
    auto shape = g.shape("rgb");
    if (shape.size() == 4) {
      if (shape[0] != T || shape[3] != 3) throw Error(path, cam_where + " key rgb", "expected T x H x W x 3");
      cam.height = static_cast<int>(shape[1]);
      cam.width = static_cast<int>(shape[2]);
      rgb = g.read<uint8_t>("rgb");
    } else {
      auto blobs = g.read_blobs("rgb");
      if (static_cast<int64_t>(blobs.size()) != T) throw Error(path, cam_where + " key rgb", "expected one encoded image per frame");
      for (int64_t t = 0; t < T; ++t) {
        DecodedImage img = decode_image(blobs[t], path + ": " + cam_where + " frame " + std::to_string(t));
        if (t == 0) {
          cam.width = img.width;
          cam.height = img.height;
        } else if (img.width != cam.width || img.height != cam.height) {
          throw Error(path, cam_where + " key rgb", "frame " + std::to_string(t) + " has another size");
        }
        rgb.insert(rgb.end(), img.rgb.begin(), img.rgb.end());
      }
    }
    std::vector<float> depth;
    if (g.has_dataset("depth")) {
      auto dshape = g.shape("depth");
      if (dshape.size() == 1) {
        // One encoded 16-bit PNG per frame.
        auto blobs = g.read_blobs("depth");
        if (static_cast<int64_t>(blobs.size()) != T) throw Error(path, cam_where + " key depth", "expected one encoded image per frame");
        for (int64_t t = 0; t < T; ++t) {
          DecodedDepth img = decode_depth_image(blobs[t], path + ": " + cam_where + " key depth frame " + std::to_string(t));
          if (img.width != cam.width || img.height != cam.height)
            throw Error(path, cam_where + " key depth", "frame " + std::to_string(t) + " disagrees with the images in size");
          for (uint16_t v : img.values) depth.push_back(static_cast<float>(v * options.depth_scale));
        }
      } else {
        if (dshape.size() != 3 || dshape[0] != T || dshape[1] != cam.height || dshape[2] != cam.width)
          throw Error(path, cam_where + " key depth", "expected T x H x W numbers matching the images");
        depth = g.read<float>("depth");
        for (float& d : depth) d = static_cast<float>(d * options.depth_scale);
      }
      cam.has_depth = true;
    }
    if (g.has_dataset("intrinsic_cv")) {
      auto k = per_frame(g, "intrinsic_cv", T, 3, 3, cam_where);
      cam.intrinsics = PinholeIntrinsics{k[0], k[4], k[2], k[5]};
    }
    if (g.has_dataset("extrinsic_cv")) {
      auto e = per_frame(g, "extrinsic_cv", T, 3, 4, cam_where);
      const Eigen::Matrix4d first = world_from_cv_extrinsic(e.data());
      bool moving = false;
      for (int64_t t = 1; t < T && !moving; ++t) moving = !world_from_cv_extrinsic(e.data() + t * 12).isApprox(first, 1e-6);
      const int arm = name.rfind("left", 0) == 0 ? 0 : name.rfind("right", 0) == 0 ? 1 : -1;
      if (moving && arm >= 0 && ep.arm_present(arm)) {
        // A camera riding on an arm: its hand-eye transform is fixed, read off frame 0.
        cam.mount = CameraMount::Wrist;
        cam.arm = arm;
        cam.T_ee_cam = ep.ee_pose(0, arm).matrix().inverse() * first;
      } else if (!moving) {
        cam.T_world_cam = first;
      }
      ep.source["observation/" + name + "/extrinsic_cv"] = SourceArray{{T, 3, 4}, e};
    }
    ep.cameras.push_back(cam);
    ep.rgb.push_back(std::move(rgb));
    ep.depth.push_back(std::move(depth));
  }
  if (ep.cameras.empty()) throw Error(path, where, "no cameras under observation/");

  if (root.has_group("joint_action")) {
    h5::Group joints = root.group("joint_action");
    for (const auto& key : joints.children())
      if (joints.has_dataset(key)) ep.source["joint_action/" + key] = SourceArray{joints.shape(key), joints.read<double>(key)};
  }
  ep.validate(path);
  return ep;
}

}  // namespace xwam::data
