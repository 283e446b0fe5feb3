// The animated point cloud the renderer draws: per frame flat arrays of points, colours, source view,
// and the cameras/trajectory that produced them. Plain std::vector / Eigen, no Open3D types.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/geometry/CameraModel.h"

namespace xwam::geometry {

// One fused frame with N points. Arrays are parallel and point-major:
//   xyz        N·3 float, world frame, metres
//   rgb        N·3 uint8
//   view       N uint8, index of the source camera in CloudSequence::cameras (or the fusion input)
//   confidence N float in [0, 1] or empty (see FusionOptions::confidence)
//   error      N float or empty: per-point error for visualisation (e.g. metres to the recorded cloud)
struct CloudFrame {
  std::vector<float> xyz;
  std::vector<uint8_t> rgb;
  std::vector<uint8_t> view;
  std::vector<float> confidence;
  std::vector<float> error;

  size_t size() const { return view.size(); }
  Eigen::Vector3f point(size_t i) const { return {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]}; }
  // Keeps the points whose index is listed (ascending or not), every attribute alike.
  CloudFrame select(const std::vector<size_t>& indices) const;
};

// A 4D rollout: frames[k] is the world at episode frame frame_indices[k]. camera_poses[k][c] is camera
// c's T_world_cam at that frame (wrist cameras move); trajectory[k] is the end-effector position of
// the first arm with a state.
struct CloudSequence {
  std::vector<CloudFrame> frames;
  std::vector<int> frame_indices;
  std::vector<CameraModel> cameras;  // intrinsics, names and the pose at frames[0]
  std::vector<std::vector<Eigen::Matrix4d>> camera_poses;
  std::vector<Eigen::Vector3d> trajectory;
  double fps = 0;
  std::string source;  // "recorded" or "predicted"
};

}  // namespace xwam::geometry
