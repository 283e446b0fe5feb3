// One recorded (or generated) robot episode in memory: cameras with RGB-D frames, the 16-d state and
// 14-d action interface of X-WAM, instruction and task. Plain arrays, no LibTorch, no HDF5.
#pragma once
#include <Eigen/Geometry>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Camera.h"

namespace xwam::data {

// State per arm: position 3, quaternion wxyz (w ≥ 0) 4, gripper opening 1 → 8; two arms → 16.
// Action per arm: Δposition 3, Δrotation as axis-angle 3, gripper delta 1 → 7; two arms → 14.
constexpr int kArms = 2;
constexpr int kStatePerArm = 8;
constexpr int kActionPerArm = 7;
constexpr int kStateDim = kArms * kStatePerArm;    // 16
constexpr int kActionDim = kArms * kActionPerArm;  // 14

// An array kept as the source file had it (e.g. robomimic's raw `actions`, RoboTwin's joint vector),
// so users can reach data the 16/14-d interface drops. Values widened to double.
struct SourceArray {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

struct Episode {
  std::string name;         // unique within its file, e.g. "demo_3" or "episode_000012"
  std::string instruction;  // natural-language task instruction
  std::string task;         // task family name ("pick_place", "PnPCounterToCab", ...), may be empty
  double fps = 20.0;        // control / frame rate of the stored frames
  std::optional<bool> success;

  int num_frames = 0;   // frames held in this object
  int first_frame = 0;  // index in the stored episode of frame 0 here (non-zero after a range read)
  int total_frames = 0; // frames of the whole stored episode

  std::vector<CameraInfo> cameras;
  // Per camera: T·H·W·3 uint8 RGB, row-major, frame-major. Empty when RGB was not read.
  std::vector<std::vector<uint8_t>> rgb;
  // Per camera: T·H·W float32 metric depth in metres, 0 = invalid. Empty when the camera has no
  // depth (cameras[c].has_depth == false) or depth was not read.
  std::vector<std::vector<float>> depth;
  // Per camera: T·H·W 8-bit depth codes as the source's depth video held them, metric mapping unknown
  // (cameras[c].depth_encoded). Empty for every other camera or when depth was not read.
  std::vector<std::vector<uint8_t>> depth_code;

  std::vector<float> states;   // T·16, un-normalized
  std::vector<float> actions;  // T·14, un-normalized; action t moves state t towards state t+1
  std::array<uint8_t, kStateDim> state_mask{};    // 1 = dimension is real data, 0 = padding
  std::array<uint8_t, kActionDim> action_mask{};

  std::map<std::string, SourceArray> source;  // the source's own arrays, by their source key

  // Index helpers; no bounds checks beyond debug asserts.
  int camera_index(const std::string& camera_name) const;  // -1 when absent
  const uint8_t* rgb_frame(int camera, int t) const;
  const float* depth_frame(int camera, int t) const;  // nullptr without depth
  const uint8_t* depth_code_frame(int camera, int t) const;  // nullptr without encoded depth
  const float* state(int t) const { return states.data() + static_cast<size_t>(t) * kStateDim; }
  const float* action(int t) const { return actions.data() + static_cast<size_t>(t) * kActionDim; }
  bool arm_present(int arm) const { return state_mask[arm * kStatePerArm] != 0; }

  // End-effector pose of an arm at frame t, built from the state (position + quaternion).
  Eigen::Isometry3d ee_pose(int t, int arm) const;
  // Camera-to-world pose at frame t: the fixed extrinsic, or ee_pose(t, arm) · T_ee_cam for a wrist
  // camera. Throws xwam::Error naming the camera when its calibration is missing.
  Eigen::Matrix4d camera_pose(int camera, int t) const;

  // Checks that every array agrees with num_frames and the camera sizes, that states, actions, depth,
  // intrinsics, poses and fps are finite, and that camera names can be file names (check_file_name).
  // Throws xwam::Error naming `file`, this episode and the key.
  void validate(const std::string& file) const;
};

}  // namespace xwam::data
