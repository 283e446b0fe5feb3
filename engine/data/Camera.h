// A recorded camera: size, pinhole intrinsics and how it is mounted (fixed in the world or on a wrist).
#pragma once
#include <Eigen/Geometry>
#include <optional>
#include <string>

namespace xwam::data {

// OpenCV pinhole convention (as OpenCV, ROS CameraInfo, Open3D): x right, y down, z forward (optical
// axis); a point (x, y, z) in the camera frame lands at (u, v) = (fx·x/z + cx, fy·y/z + cy), and pixel
// (col i, row j) is centred on (u, v) = (i, j): the image's top-left corner is (−0.5, −0.5), a centred
// principal point of a W×H image is ((W − 1)/2, (H − 1)/2). Episode files before schema 2 stored
// centres at +0.5; the reader converts them (docs/episode-format.md).
struct PinholeIntrinsics {
  double fx = 0, fy = 0, cx = 0, cy = 0;

  // The same camera after its image is resized by (sx, sy), edges onto edges: the image-plane
  // coordinate u + 0.5 (0 at the left edge) scales, so cx' = (cx + 0.5)·sx − 0.5.
  PinholeIntrinsics resized(double sx, double sy) const {
    return {fx * sx, fy * sy, (cx + 0.5) * sx - 0.5, (cy + 0.5) * sy - 0.5};
  }
  // Intrinsics given with pixel centres at integer + 0.5 (MuJoCo/OpenGL-style K with cx = W/2 for a
  // centred camera, our episode files before schema 2), in this convention.
  static PinholeIntrinsics from_half_pixel_centres(double fx, double fy, double cx, double cy) {
    return {fx, fy, cx - 0.5, cy - 0.5};
  }
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
  bool has_depth = false;  // metric depth (Episode::depth)
  // Depth as 8-bit codes of a depth video whose metric mapping is unknown (Episode::depth_code; the
  // released X-WAM data without CAMERAS.json). Trainable as the released code does; fusion and depth
  // metrics refuse it. Never together with has_depth.
  bool depth_encoded = false;

  bool calibrated() const {
    return intrinsics.has_value() && (mount == CameraMount::Fixed ? T_world_cam.has_value() : T_ee_cam.has_value());
  }
};

// Why `camera` has no metric depth, for the errors of fusion and depth metrics that name it.
inline const char* missing_metric_depth(const CameraInfo& camera) {
  return camera.depth_encoded ? "depth: encoded, no metric mapping (8-bit depth video without a CAMERAS.json depth "
                                "entry; add one and re-import to fuse or measure it, docs/xwam-dataset.md)"
                              : "no recorded depth";
}

const char* to_string(CameraMount mount);
CameraMount camera_mount_from_string(const std::string& text);  // "fixed" | "wrist"; throws xwam::Error

}  // namespace xwam::data
