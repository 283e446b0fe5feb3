// Per-frame fusion over an episode or a rollout, with camera poses and the end-effector trajectory.
#include "engine/geometry/SequenceFusion.h"

#include "engine/core/Error.h"
#include "engine/data/StateActionCodec.h"
#include "engine/geometry/CloudMetrics.h"

namespace xwam::geometry {

namespace {
Eigen::Vector3d ee_position(const data::Episode& episode, const float* state16) {
  const int arm = episode.arm_present(0) || !episode.arm_present(1) ? 0 : 1;
  return data::arm_pose_from_state(state16 + arm * data::kStatePerArm).pose.translation();
}

std::vector<int> select_cameras(const std::vector<std::string>& available, const std::vector<std::string>& wanted,
                                const std::string& where) {
  std::vector<int> picked;
  if (wanted.empty()) {
    for (size_t i = 0; i < available.size(); ++i) picked.push_back(static_cast<int>(i));
    return picked;
  }
  for (const auto& name : wanted) {
    int found = -1;
    for (size_t i = 0; i < available.size(); ++i)
      if (available[i] == name) found = static_cast<int>(i);
    if (found < 0) throw Error(where, "camera " + name, "no such camera");
    picked.push_back(found);
  }
  return picked;
}
}  // namespace

CloudSequence fuse_recorded(const data::Episode& episode, const std::vector<int>& frames, const FusionOptions& options,
                            const std::vector<std::string>& cameras) {
  std::vector<std::string> names;
  for (const auto& c : episode.cameras) names.push_back(c.name);
  const std::vector<int> picked = select_cameras(names, cameras, "episode " + episode.name);
  for (int c : picked)
    if (!episode.depth_frame(c, 0))
      throw Error("", "episode " + episode.name + " camera " + episode.cameras[c].name,
                  std::string(data::missing_metric_depth(episode.cameras[c])) + " to fuse");

  CloudSequence seq;
  seq.fps = episode.fps;
  seq.source = "recorded";
  for (int t : frames) {
    if (t < 0 || t >= episode.num_frames)
      throw Error("", "episode " + episode.name, "frame " + std::to_string(t) + " out of range");
    std::vector<DepthView> views;
    std::vector<Eigen::Matrix4d> poses;
    for (int c : picked) {
      views.push_back({recorded_camera(episode, c, t), episode.depth_frame(c, t),
                       episode.rgb[c].empty() ? nullptr : episode.rgb_frame(c, t)});
      poses.push_back(views.back().camera.T_world_cam);
    }
    if (seq.cameras.empty())
      for (const auto& v : views) seq.cameras.push_back(v.camera);
    seq.frames.push_back(fuse_views(views, options));
    seq.frame_indices.push_back(episode.first_frame + t);
    seq.camera_poses.push_back(poses);
    seq.trajectory.push_back(ee_position(episode, episode.state(t)));
  }
  return seq;
}

CameraModel predicted_camera(const data::Episode& episode, const Rollout& rollout, int view, int k) {
  const RolloutView& rv = rollout.views[view];
  const int c = episode.camera_index(rv.camera);
  if (c < 0) throw Error("", "camera " + rv.camera, "rollout camera is not in episode " + episode.name);
  const data::CameraInfo& info = episode.cameras[c];
  if (info.mount == data::CameraMount::Wrist && rollout.states.empty())
    throw Error("", "camera " + rv.camera, "wrist camera needs the rollout's predicted states (states.csv)");
  // Fixed cameras never read the state, so a rollout without states still poses them.
  const float* state = rollout.states.empty() ? nullptr : rollout.state(k);
  CameraModel model = make_camera_model(info, camera_pose_from_state(info, state));
  if (rv.width != model.width || rv.height != model.height) {
    const double sx = static_cast<double>(rv.width) / model.width, sy = static_cast<double>(rv.height) / model.height;
    const data::PinholeIntrinsics k = data::PinholeIntrinsics{model.fx, model.fy, model.cx, model.cy}.resized(sx, sy);
    model.fx = k.fx, model.fy = k.fy, model.cx = k.cx, model.cy = k.cy;
    model.width = rv.width, model.height = rv.height;
  }
  return model;
}

CloudSequence fuse_predicted(const data::Episode& episode, const Rollout& rollout, const FusionOptions& options,
                             const std::vector<std::string>& cameras) {
  rollout.validate();
  std::vector<std::string> names;
  for (const auto& v : rollout.views) names.push_back(v.camera);
  const std::vector<int> picked = select_cameras(names, cameras, "rollout");
  for (int v : picked)
    if (rollout.views[v].depth.empty()) throw Error("", "camera " + names[v], "rollout has no predicted depth to fuse");

  CloudSequence seq;
  seq.fps = episode.fps;
  seq.source = "predicted";
  for (int k = 0; k < rollout.num_frames(); ++k) {
    std::vector<DepthView> views;
    std::vector<Eigen::Matrix4d> poses;
    for (int v : picked) {
      views.push_back({predicted_camera(episode, rollout, v, k), rollout.views[v].depth_frame(k),
                       rollout.views[v].rgb_frame(k)});
      poses.push_back(views.back().camera.T_world_cam);
    }
    if (seq.cameras.empty())
      for (const auto& view : views) seq.cameras.push_back(view.camera);
    seq.frames.push_back(fuse_views(views, options));
    seq.frame_indices.push_back(rollout.frame_indices[k]);
    seq.camera_poses.push_back(poses);
    if (!rollout.states.empty()) seq.trajectory.push_back(ee_position(episode, rollout.state(k)));
  }
  return seq;
}

void set_point_errors(CloudSequence& sequence, const CloudSequence& reference) {
  if (sequence.frames.size() != reference.frames.size())
    throw Error("point errors: " + std::to_string(sequence.frames.size()) + " frames against " +
                std::to_string(reference.frames.size()) + " reference frames");
  for (size_t k = 0; k < sequence.frames.size(); ++k)
    sequence.frames[k].error = nearest_distances(sequence.frames[k], reference.frames[k]);
}

}  // namespace xwam::geometry
