// A recorded camera: size, pinhole intrinsics and how it is mounted (fixed in the world or on a wrist).
#pragma once
#include <Eigen/Geometry>
#include <optional>
#include <string>

namespace xwam::data {

// OpenCV pinhole convention: x right, y down, z forward (optical axis); pixel (u, v) of a point
// (x, y, z) in the camera frame is (fx·x/z + cx, fy·y/z + cy); pixel centres sit at integer + 0.5
// when (u, v) are continuous coordinates of the image plane whose top-left corner is (0, 0).
struct PinholeIntrinsics {
  double fx = 0, fy = 0, cx = 0, cy = 0;
};

enum class CameraMount { Fixed, Wrist };

struct CameraInfo {
  std::string name;
  int width = 0, height = 0;
  // Absent when the source file carries no calibration: fusion then refuses, naming the camera.
  std::optional<PinholeIntrinsics> intrinsics;
  CameraMount mount = CameraMount::Fixed;
  // Fixed cameras: camera-to-world transform T_world_cam (absent when not calibrated).
  std::optional<Eigen::Matrix4d> T_world_cam;
  // Wrist cameras: hand-eye transform T_ee_cam (camera pose in the end-effector frame) and the arm
  // (0 = left/first, 1 = right/second) that carries it; pose at time t is T_world_ee(t) · T_ee_cam.
  std::optional<Eigen::Matrix4d> T_ee_cam;
  int arm = 0;
  bool has_depth = false;

  bool calibrated() const {
    return intrinsics.has_value() && (mount == CameraMount::Fixed ? T_world_cam.has_value() : T_ee_cam.has_value());
  }
};

const char* to_string(CameraMount mount);
CameraMount camera_mount_from_string(const std::string& text);  // "fixed" | "wrist"; throws xwam::Error

}  // namespace xwam::data
