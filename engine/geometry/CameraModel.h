// A posed pinhole camera for fusion and metrics: intrinsics plus its camera-to-world pose at one frame,
// built from an episode's calibration and either the recorded or a predicted end-effector state.
#pragma once
#include <Eigen/Geometry>
#include <string>
#include <vector>

#include "engine/data/Camera.h"
#include "engine/data/Episode.h"

namespace xwam::geometry {

// OpenCV convention (as engine/data/Camera.h): camera x right, y down, z forward. Pixel (col i, row j)
// is centred on (u, v) = (i, j) and covers [i − 0.5, i + 0.5)×[j − 0.5, j + 0.5); a point (x, y, z) in
// the camera frame projects to (fx·x/z + cx, fy·y/z + cy).
// Depth is z-depth in metres (distance along the optical axis, not along the ray).
struct CameraModel {
  std::string name;
  int width = 0, height = 0;
  double fx = 0, fy = 0, cx = 0, cy = 0;
  Eigen::Matrix4d T_world_cam = Eigen::Matrix4d::Identity();  // camera-to-world, metres

  // World point of pixel (col, row) at z-depth `depth_m` (pixel centre, see above).
  Eigen::Vector3d unproject(int col, int row, double depth_m) const;
  // Continuous image coordinates (u, v) and z-depth of a world point; z ≤ 0 means behind the camera.
  Eigen::Vector3d project(const Eigen::Vector3d& p_world) const;
};

// Camera-to-world pose of `camera` given a 16-d state (recorded or predicted): the fixed extrinsic, or
// T_world_ee(state) · T_ee_cam for a wrist camera. Throws xwam::Error naming the camera when its
// extrinsic / hand-eye calibration is missing.
Eigen::Matrix4d camera_pose_from_state(const data::CameraInfo& camera, const float* state16);

// The posed model of `camera` at a given pose. Throws xwam::Error naming the camera without intrinsics.
CameraModel make_camera_model(const data::CameraInfo& camera, const Eigen::Matrix4d& T_world_cam);

// Camera `camera` (index into episode.cameras) posed at recorded frame t (wrist: recorded state), and
// every camera of the episode so posed. Throw xwam::Error naming the camera when it is uncalibrated or
// sits on an arm without state.
CameraModel recorded_camera(const data::Episode& episode, int camera, int t);
std::vector<CameraModel> recorded_cameras(const data::Episode& episode, int t);

}  // namespace xwam::geometry
