#include "engine/data/StateActionCodec.h"

namespace xwam::data {

void encode_state(const ArmPose& arm, float* out8) {
  Eigen::Quaterniond q(arm.pose.rotation());
  q.normalize();
  if (q.w() < 0) q.coeffs() *= -1.0;
  const Eigen::Vector3d p = arm.pose.translation();
  out8[0] = static_cast<float>(p.x());
  out8[1] = static_cast<float>(p.y());
  out8[2] = static_cast<float>(p.z());
  out8[3] = static_cast<float>(q.w());
  out8[4] = static_cast<float>(q.x());
  out8[5] = static_cast<float>(q.y());
  out8[6] = static_cast<float>(q.z());
  out8[7] = static_cast<float>(arm.gripper);
}

ArmPose arm_pose_from_state(const float* s) {
  ArmPose arm;
  Eigen::Quaterniond q(s[3], s[4], s[5], s[6]);
  // A zero quaternion marks a padded (absent) arm: identity keeps the maths defined.
  if (q.norm() < 1e-8) q = Eigen::Quaterniond::Identity();
  arm.pose.linear() = q.normalized().toRotationMatrix();
  arm.pose.translation() = Eigen::Vector3d(s[0], s[1], s[2]);
  arm.gripper = s[7];
  return arm;
}

Eigen::Vector3d axis_angle_from_rotation(const Eigen::Matrix3d& R) {
  Eigen::AngleAxisd aa(R);
  return aa.axis() * aa.angle();
}

Eigen::Matrix3d rotation_from_axis_angle(const Eigen::Vector3d& v) {
  const double angle = v.norm();
  if (angle < 1e-12) return Eigen::Matrix3d::Identity();
  return Eigen::AngleAxisd(angle, v / angle).toRotationMatrix();
}

void encode_action(const ArmPose& current, const ArmPose& target, float* out7) {
  const Eigen::Vector3d dp = target.pose.translation() - current.pose.translation();
  const Eigen::Matrix3d dR = target.pose.rotation() * current.pose.rotation().transpose();
  const Eigen::Vector3d aa = axis_angle_from_rotation(dR);
  for (int i = 0; i < 3; ++i) {
    out7[i] = static_cast<float>(dp[i]);
    out7[3 + i] = static_cast<float>(aa[i]);
  }
  out7[6] = static_cast<float>(target.gripper - current.gripper);
}

ArmPose apply_action(const ArmPose& current, const float* a) {
  ArmPose target;
  target.pose.translation() = current.pose.translation() + Eigen::Vector3d(a[0], a[1], a[2]);
  target.pose.linear() = rotation_from_axis_angle(Eigen::Vector3d(a[3], a[4], a[5])) * current.pose.rotation();
  target.gripper = current.gripper + a[6];
  return target;
}

}  // namespace xwam::data
