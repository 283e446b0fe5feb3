// An analytic tabletop for geometry tests: a table plane z = 0 (|x|, |y| ≤ 0.5 m) with a red sphere on it,
// seen by two fixed cameras and one wrist camera, with depth ray-cast exactly (no data-layer generator).
#pragma once
#include <Eigen/Geometry>

#include "engine/data/Episode.h"

namespace xwam::test {

constexpr double kTableHalf = 0.5;  // metres
constexpr double kSphereRadius = 0.08;

// Sphere centre at frame t (rolls along x).
Eigen::Vector3d sphere_centre(int t);
// World pose of the end effector (arm 0) at frame t: above the table, camera-holding, moving.
Eigen::Isometry3d ee_pose(int t);
// Hand-eye transform of the wrist camera (camera in the end-effector frame).
Eigen::Matrix4d wrist_hand_eye();

// Cameras "main" (fixed), "side" (fixed) and "wrist" (arm 0); RGB (table grey checker, sphere red),
// depth, states (arm 0 only) and actions filled; `width`×`height` pixels, `frames` frames.
data::Episode make_tabletop(int frames = 3, int width = 64, int height = 48);

// Distance of a world point to the nearest analytic surface (table or sphere) at frame t.
double surface_distance(const Eigen::Vector3d& p, int t);

}  // namespace xwam::test
