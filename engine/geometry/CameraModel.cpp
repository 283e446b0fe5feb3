// Pinhole camera posing and (un)projection.
#include "engine/geometry/CameraModel.h"

#include "engine/core/Error.h"
#include "engine/data/StateActionCodec.h"

namespace xwam::geometry {

Eigen::Vector3d CameraModel::unproject(int col, int row, double depth_m) const {
  const Eigen::Vector4d p_cam((col - cx) / fx * depth_m, (row - cy) / fy * depth_m, depth_m, 1.0);
  return (T_world_cam * p_cam).head<3>();
}

Eigen::Vector3d CameraModel::project(const Eigen::Vector3d& p_world) const {
  const Eigen::Matrix3d R = T_world_cam.topLeftCorner<3, 3>();
  const Eigen::Vector3d p = R.transpose() * (p_world - T_world_cam.topRightCorner<3, 1>());
  return {fx * p.x() / p.z() + cx, fy * p.y() / p.z() + cy, p.z()};
}

Eigen::Matrix4d camera_pose_from_state(const data::CameraInfo& camera, const float* state16) {
  if (camera.mount == data::CameraMount::Fixed) {
    if (!camera.T_world_cam) throw Error("", "camera " + camera.name, "no extrinsic calibration (T_world_cam)");
    return *camera.T_world_cam;
  }
  if (!camera.T_ee_cam)
    throw Error("", "camera " + camera.name, "wrist camera without hand-eye calibration (T_ee_cam)");
  const auto arm = data::arm_pose_from_state(state16 + camera.arm * data::kStatePerArm);
  return arm.pose.matrix() * *camera.T_ee_cam;
}

CameraModel make_camera_model(const data::CameraInfo& camera, const Eigen::Matrix4d& T_world_cam) {
  if (!camera.intrinsics) throw Error("", "camera " + camera.name, "no intrinsic calibration (fx, fy, cx, cy)");
  if (camera.width <= 0 || camera.height <= 0) throw Error("", "camera " + camera.name, "camera has no image size");
  CameraModel model;
  model.name = camera.name;
  model.width = camera.width;
  model.height = camera.height;
  model.fx = camera.intrinsics->fx;
  model.fy = camera.intrinsics->fy;
  model.cx = camera.intrinsics->cx;
  model.cy = camera.intrinsics->cy;
  model.T_world_cam = T_world_cam;
  return model;
}

CameraModel recorded_camera(const data::Episode& episode, int camera, int t) {
  if (t < 0 || t >= episode.num_frames)
    throw Error("", "episode " + episode.name, "frame " + std::to_string(t) + " out of range");
  const data::CameraInfo& cam = episode.cameras.at(camera);
  if (cam.mount == data::CameraMount::Wrist && !episode.arm_present(cam.arm))
    throw Error("", "camera " + cam.name, "wrist camera on arm " + std::to_string(cam.arm) + " which has no state");
  return make_camera_model(cam, camera_pose_from_state(cam, episode.state(t)));
}

std::vector<CameraModel> recorded_cameras(const data::Episode& episode, int t) {
  std::vector<CameraModel> models;
  for (size_t c = 0; c < episode.cameras.size(); ++c) models.push_back(recorded_camera(episode, static_cast<int>(c), t));
  return models;
}

}  // namespace xwam::geometry
