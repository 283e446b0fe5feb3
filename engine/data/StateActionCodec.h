// The X-WAM state/action interface (method.md): per arm, state = [pos 3, quat wxyz 4 (w ≥ 0), gripper 1],
// action = [Δpos 3, ΔR as axis-angle 3, gripper delta 1] with Δpos = a_pos − p_pos, ΔR = R_a · R_pᵀ.
#pragma once
#include <Eigen/Geometry>

namespace xwam::data {

struct ArmPose {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();  // end effector in the world
  double gripper = 0.0;                                    // opening, source units (metres for ours)
};

// Writes 8 floats: position, quaternion wxyz with w ≥ 0 (sign fixed so q and −q encode alike), gripper.
void encode_state(const ArmPose& arm, float* out8);
ArmPose arm_pose_from_state(const float* state8);

// Action taking the arm from `current` towards the commanded `target`; gripper delta is
// target.gripper − current.gripper (the released code's p(t+1) − p(t)). Writes 7 floats.
void encode_action(const ArmPose& current, const ArmPose& target, float* out7);
// Inverse of encode_action: the commanded target of `action7` applied to `current`.
ArmPose apply_action(const ArmPose& current, const float* action7);

// Rotation helpers (axis-angle as a 3-vector whose norm is the angle in radians, in [0, π]).
Eigen::Vector3d axis_angle_from_rotation(const Eigen::Matrix3d& R);
Eigen::Matrix3d rotation_from_axis_angle(const Eigen::Vector3d& axis_angle);

}  // namespace xwam::data
