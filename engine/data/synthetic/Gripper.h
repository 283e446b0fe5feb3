// The two-finger gripper of the synthetic scenes: its end-effector frame, its parts as boxes (for
// rendering) and the wrist camera's hand-eye transform.
#pragma once
#include <Eigen/Geometry>
#include <vector>

#include "engine/data/StateActionCodec.h"

namespace xwam::data::synthetic {

// End-effector frame: origin at the grasp centre between the finger pads (the TCP); x = approach
// direction (palm → fingertips), y = closing axis (fingers move along ±y), z = x × y.
// The state's gripper value is the opening between the pads in metres, in [0, kMaxOpening].
struct GripperGeometry {
  static constexpr double kMaxOpening = 0.085;
  static constexpr double kFingerTip = 0.012;  // fingertips reach this far past the TCP along x
  static constexpr double kFingerLength = 0.06;
  static constexpr double kFingerThickness = 0.012;  // along y
  static constexpr double kFingerWidth = 0.022;      // along z
};

// Orientation of a gripper pointing straight down (approach = −z world) whose closing axis is
// world y rotated by `yaw` about z. Its quaternion has w = cos(yaw/2)·cos(π/4) > 0 for |yaw| < π.
Eigen::Matrix3d gripper_down_rotation(double yaw);
// Yaw of a gripper's closing axis about world z (inverse of gripper_down_rotation for such poses).
double gripper_yaw(const Eigen::Matrix3d& rotation);

// One box of the gripper's body (palm, fingers, forearm link) in the world.
struct GripperPart {
  Eigen::Isometry3d pose;        // box centre and orientation in the world
  Eigen::Vector3d half_extents;  // in the box frame
  bool finger;
};
std::vector<GripperPart> gripper_parts(const ArmPose& arm);

// Hand-eye calibration T_ee_cam of the wrist camera (OpenCV axes): mounted beside the palm, looking
// along the approach direction at the space between the fingers; image x follows the closing axis.
Eigen::Isometry3d wrist_camera_hand_eye();

}  // namespace xwam::data::synthetic
