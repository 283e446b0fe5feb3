#include "engine/data/synthetic/Gripper.h"

#include <cmath>

namespace xwam::data::synthetic {

Eigen::Matrix3d gripper_down_rotation(double yaw) {
  return (Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()) * Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitY()))
      .toRotationMatrix();
}

double gripper_yaw(const Eigen::Matrix3d& rotation) {
  const Eigen::Vector3d y = rotation.col(1);
  return std::atan2(-y.x(), y.y());
}

std::vector<GripperPart> gripper_parts(const ArmPose& arm) {
  using G = GripperGeometry;
  const double opening = std::clamp(arm.gripper, 0.0, G::kMaxOpening);
  const double finger_cx = G::kFingerTip - 0.5 * G::kFingerLength;
  const double finger_cy = 0.5 * opening + 0.5 * G::kFingerThickness;
  const double palm_x = G::kFingerTip - G::kFingerLength - 0.01;
  const double outer_y = 0.5 * G::kMaxOpening + G::kFingerThickness;
  struct Local {
    Eigen::Vector3d centre, half;
    bool finger;
  };
  const Local locals[] = {
      {{finger_cx, finger_cy, 0}, {0.5 * G::kFingerLength, 0.5 * G::kFingerThickness, 0.5 * G::kFingerWidth}, true},
      {{finger_cx, -finger_cy, 0}, {0.5 * G::kFingerLength, 0.5 * G::kFingerThickness, 0.5 * G::kFingerWidth}, true},
      {{palm_x, 0, 0}, {0.01, outer_y, 0.018}, false},            // palm carrying the finger rail
      {{palm_x - 0.03, 0, 0}, {0.02, 0.03, 0.03}, false},         // wrist flange
      {{palm_x - 0.05 - 0.2, 0, 0}, {0.2, 0.022, 0.022}, false},  // forearm link
  };
  std::vector<GripperPart> parts;
  for (const auto& l : locals) {
    Eigen::Isometry3d local = Eigen::Isometry3d::Identity();
    local.translation() = l.centre;
    parts.push_back({arm.pose * local, l.half, l.finger});
  }
  return parts;
}

Eigen::Isometry3d wrist_camera_hand_eye() {
  // Camera beside the palm (offset along −z, level with the palm along x), aimed past the TCP so the
  // fingertips and a grasped object sit in the lower half of the image and the palm stays out of view.
  const Eigen::Vector3d position(-0.06, 0.0, -0.07);
  const Eigen::Vector3d target(0.06, 0.0, 0.0);
  const Eigen::Vector3d z_cam = (target - position).normalized();
  const Eigen::Vector3d x_cam = Eigen::Vector3d::UnitY();  // ⟂ z_cam, closing axis left-right in the image
  const Eigen::Vector3d y_cam = z_cam.cross(x_cam);
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.linear().col(0) = x_cam;
  T.linear().col(1) = y_cam;
  T.linear().col(2) = z_cam;
  T.translation() = position;
  return T;
}

}  // namespace xwam::data::synthetic
