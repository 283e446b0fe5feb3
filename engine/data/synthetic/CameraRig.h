// The cameras of the synthetic scenes: a fixed main camera in front of the table, a fixed side
// camera, and one wrist camera per arm (pose T_world_ee · T_ee_cam). All record RGB and depth.
#pragma once
#include <Eigen/Geometry>
#include <vector>

#include "engine/data/Camera.h"

namespace xwam::data::synthetic {

// Cameras in this order: "main", "side", "wrist0" (arm 0) and, with two arms, "wrist1" (arm 1).
// Every CameraInfo is fully calibrated (intrinsics, T_world_cam or T_ee_cam, has_depth = true).
// Intrinsics scale with the image size, so the field of view is the same at every resolution.
std::vector<CameraInfo> make_camera_rig(int width, int height, int arms);

// Camera-to-world pose (OpenCV axes) of a camera at `eye` looking at `target`, image x horizontal.
Eigen::Isometry3d look_at(const Eigen::Vector3d& eye, const Eigen::Vector3d& target);

// Pinhole intrinsics with a horizontal field of view of `hfov_deg` and the principal point centred.
PinholeIntrinsics intrinsics_for_fov(int width, int height, double hfov_deg);

}  // namespace xwam::data::synthetic
