#include "engine/data/synthetic/CameraRig.h"

#include <cmath>
#include <string>

#include "engine/data/synthetic/Gripper.h"

namespace xwam::data::synthetic {

Eigen::Isometry3d look_at(const Eigen::Vector3d& eye, const Eigen::Vector3d& target) {
  const Eigen::Vector3d z = (target - eye).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.linear().col(0) = x;
  T.linear().col(1) = y;
  T.linear().col(2) = z;
  T.translation() = eye;
  return T;
}

PinholeIntrinsics intrinsics_for_fov(int width, int height, double hfov_deg) {
  const double f = 0.5 * width / std::tan(0.5 * hfov_deg * M_PI / 180.0);
  // Centred principal point in the OpenCV convention (pixel centres at integers).
  return {f, f, 0.5 * (width - 1), 0.5 * (height - 1)};
}

std::vector<CameraInfo> make_camera_rig(int width, int height, int arms) {
  std::vector<CameraInfo> cameras;
  auto fixed = [&](const char* name, const Eigen::Vector3d& eye, const Eigen::Vector3d& target, double hfov) {
    CameraInfo cam;
    cam.name = name;
    cam.width = width;
    cam.height = height;
    cam.intrinsics = intrinsics_for_fov(width, height, hfov);
    cam.mount = CameraMount::Fixed;
    cam.T_world_cam = look_at(eye, target).matrix();
    cam.has_depth = true;
    cameras.push_back(cam);
  };
  fixed("main", {0.0, -0.62, 0.50}, {0.0, 0.02, 0.02}, 52.0);
  fixed("side", {0.62, 0.26, 0.44}, {0.0, -0.01, 0.03}, 52.0);
  for (int arm = 0; arm < arms; ++arm) {
    CameraInfo cam;
    cam.name = "wrist" + std::to_string(arm);
    cam.width = width;
    cam.height = height;
    cam.intrinsics = intrinsics_for_fov(width, height, 90.0);
    cam.mount = CameraMount::Wrist;
    cam.T_ee_cam = wrist_camera_hand_eye().matrix();
    cam.arm = arm;
    cam.has_depth = true;
    cameras.push_back(cam);
  }
  return cameras;
}

}  // namespace xwam::data::synthetic
