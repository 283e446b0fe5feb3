#include "engine/data/Episode.h"

#include <cassert>
#include <cmath>

#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/data/StateActionCodec.h"

namespace xwam::data {

const char* to_string(CameraMount mount) { return mount == CameraMount::Wrist ? "wrist" : "fixed"; }

CameraMount camera_mount_from_string(const std::string& text) {
  if (text == "fixed") return CameraMount::Fixed;
  if (text == "wrist") return CameraMount::Wrist;
  throw Error("unknown camera mount '" + text + "' (expected fixed or wrist)");
}

int Episode::camera_index(const std::string& camera_name) const {
  for (size_t c = 0; c < cameras.size(); ++c)
    if (cameras[c].name == camera_name) return static_cast<int>(c);
  return -1;
}

const uint8_t* Episode::rgb_frame(int camera, int t) const {
  const auto& cam = cameras[camera];
  assert(!rgb[camera].empty());
  return rgb[camera].data() + static_cast<size_t>(t) * cam.width * cam.height * 3;
}

const float* Episode::depth_frame(int camera, int t) const {
  if (static_cast<size_t>(camera) >= depth.size() || depth[camera].empty()) return nullptr;
  const auto& cam = cameras[camera];
  return depth[camera].data() + static_cast<size_t>(t) * cam.width * cam.height;
}

const uint8_t* Episode::depth_code_frame(int camera, int t) const {
  if (static_cast<size_t>(camera) >= depth_code.size() || depth_code[camera].empty()) return nullptr;
  const auto& cam = cameras[camera];
  return depth_code[camera].data() + static_cast<size_t>(t) * cam.width * cam.height;
}

Eigen::Isometry3d Episode::ee_pose(int t, int arm) const {
  return arm_pose_from_state(state(t) + arm * kStatePerArm).pose;
}

Eigen::Matrix4d Episode::camera_pose(int camera, int t) const {
  const auto& cam = cameras[camera];
  if (cam.mount == CameraMount::Fixed) {
    if (!cam.T_world_cam) throw Error("", "camera " + cam.name, "no extrinsic calibration (T_world_cam)");
    return *cam.T_world_cam;
  }
  if (!cam.T_ee_cam) throw Error("", "camera " + cam.name, "wrist camera without hand-eye calibration (T_ee_cam)");
  if (!arm_present(cam.arm))
    throw Error("", "camera " + cam.name, "wrist camera on arm " + std::to_string(cam.arm) + " which has no state");
  return ee_pose(t, cam.arm).matrix() * *cam.T_ee_cam;
}

namespace {
void require(bool ok, const std::string& file, const std::string& where, const std::string& what) {
  if (!ok) throw Error(file, where, what);
}

template <typename T>
void require_finite(const std::vector<T>& values, const std::string& file, const std::string& where) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw Error(file, where, "non-finite value at flat index " + std::to_string(i));
  }
}
}  // namespace

void Episode::validate(const std::string& file) const {
  const std::string ep = "episode " + name;
  const size_t T = static_cast<size_t>(num_frames);
  require(num_frames > 0, file, ep, "episode has no frames");
  require(std::isfinite(fps) && fps > 0, file, ep + " key fps", "must be a positive number");
  require(states.size() == T * kStateDim, file, ep + " key states",
          "expected " + std::to_string(T) + "x16 values, found " + std::to_string(states.size()));
  require(actions.size() == T * kActionDim, file, ep + " key actions",
          "expected " + std::to_string(T) + "x14 values, found " + std::to_string(actions.size()));
  require_finite(states, file, ep + " key states");
  require_finite(actions, file, ep + " key actions");
  require(rgb.size() == cameras.size(), file, ep, "RGB arrays do not match the camera list");
  for (size_t c = 0; c < cameras.size(); ++c) {
    const auto& cam = cameras[c];
    const std::string key = ep + " camera " + cam.name;
    // Camera names become folder names (rollouts, exports).
    check_file_name(cam.name, file, ep + " camera name");
    require(cam.width > 0 && cam.height > 0, file, key, "camera has no image size");
    const size_t pixels = T * static_cast<size_t>(cam.width) * cam.height;
    require(rgb[c].empty() || rgb[c].size() == pixels * 3, file, key + " rgb",
            "expected " + std::to_string(T) + "x" + std::to_string(cam.height) + "x" + std::to_string(cam.width) +
                "x3 bytes, found " + std::to_string(rgb[c].size()));
    if (c < depth.size() && !depth[c].empty()) {
      require(depth[c].size() == pixels, file, key + " depth",
              "expected " + std::to_string(pixels) + " values, found " + std::to_string(depth[c].size()));
      require_finite(depth[c], file, key + " depth");
    }
    require(!(cam.has_depth && cam.depth_encoded), file, key, "depth cannot be both metric and encoded");
    if (c < depth_code.size() && !depth_code[c].empty())
      require(depth_code[c].size() == pixels, file, key + " depth_code",
              "expected " + std::to_string(pixels) + " values, found " + std::to_string(depth_code[c].size()));
    if (cam.intrinsics) {
      const auto& k = *cam.intrinsics;
      require(std::isfinite(k.fx) && std::isfinite(k.fy) && std::isfinite(k.cx) && std::isfinite(k.cy), file,
              key + " intrinsics", "non-finite value");
      require(k.fx > 0 && k.fy > 0, file, key, "focal lengths must be positive");
    }
    require(!cam.T_world_cam || cam.T_world_cam->allFinite(), file, key + " T_world_cam", "non-finite value");
    require(!cam.T_ee_cam || cam.T_ee_cam->allFinite(), file, key + " T_ee_cam", "non-finite value");
  }
}

}  // namespace xwam::data
