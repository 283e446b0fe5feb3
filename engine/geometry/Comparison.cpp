#include "engine/geometry/Comparison.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/ImageResize.h"
#include "engine/geometry/SequenceFusion.h"

namespace xwam::geometry {

data::Episode episode_at_rollout_size(const data::Episode& episode, const Rollout& rollout) {
  data::Episode out = episode;
  for (const auto& view : rollout.views) {
    const int c = episode.camera_index(view.camera);
    if (c < 0) continue;
    data::CameraInfo& cam = out.cameras[c];
    const int W = cam.width, H = cam.height, w = view.width, h = view.height;
    if (W == w && H == h) continue;
    const size_t T = static_cast<size_t>(episode.num_frames);
    if (!episode.rgb[c].empty()) {
      std::vector<float> unit(static_cast<size_t>(w) * h * 3);
      std::vector<uint8_t>& rgb = out.rgb[c];
      rgb.assign(T * w * h * 3, 0);
      for (size_t t = 0; t < T; ++t) {
        data::resize_rgb_to_unit(episode.rgb_frame(c, static_cast<int>(t)), W, H, {}, w, h, unit.data());
        for (size_t i = 0; i < unit.size(); ++i)
          rgb[t * unit.size() + i] = static_cast<uint8_t>(std::clamp(std::lround((unit[i] + 1.f) * 127.5f), 0L, 255L));
      }
    }
    if (c < static_cast<int>(episode.depth.size()) && !episode.depth[c].empty()) {
      std::vector<float>& depth = out.depth[c];
      depth.assign(T * w * h, 0.f);
      for (size_t t = 0; t < T; ++t)
        data::resize_depth_nearest(episode.depth_frame(c, static_cast<int>(t)), W, H, {}, w, h, depth.data() + t * w * h);
    }
    // Depth codes of unknown mapping are never compared (depth metrics refuse them): not carried at this size.
    if (c < static_cast<int>(out.depth_code.size())) out.depth_code[c].clear();
    // A resize, not a crop: the intrinsics scale with the size ratio.
    if (cam.intrinsics) {
      const double sx = static_cast<double>(w) / W, sy = static_cast<double>(h) / H;
      cam.intrinsics = cam.intrinsics->resized(sx, sy);
    }
    cam.width = w;
    cam.height = h;
  }
  return out;
}

void check_rollout_episode(const Rollout& rollout, const data::Episode& episode) {
  if (!rollout.episode_name.empty() && rollout.episode_name != episode.name)
    throw Error((std::filesystem::path(rollout.dir) / "manifest.json").string(), "key episode_name",
                "rollout was made from episode '" + rollout.episode_name + "', the scene names '" + episode.name + "'");
}

EvaluationReport evaluate_against_recording(const data::Episode& episode, const Rollout& rollout,
                                            const EvaluationOptions& options) {
  return evaluate_rollout(episode_at_rollout_size(episode, rollout), rollout, options);
}

RolloutClouds fuse_with_errors(const data::Episode& episode, const Rollout& rollout, const FusionOptions& options,
                               const std::vector<std::string>& cameras) {
  auto predicted = std::make_shared<CloudSequence>(fuse_predicted(episode, rollout, options, cameras));
  std::vector<std::string> used;
  for (const auto& cam : predicted->cameras) used.push_back(cam.name);
  for (const auto& name : used) {
    const int c = episode.camera_index(name);
    if (c < 0 || !episode.depth_frame(c, 0)) return {predicted, nullptr};  // nothing recorded to compare with
  }
  // Predicted frames past the loaded range compare with its last frame (rollouts may run past the end).
  std::vector<int> frames;
  for (int f : rollout.frame_indices) frames.push_back(std::clamp(f - episode.first_frame, 0, episode.num_frames - 1));
  auto recorded = std::make_shared<CloudSequence>(fuse_recorded(episode, frames, options, used));
  set_point_errors(*predicted, *recorded);
  return {predicted, recorded};
}

Comparison compare_rollout(const data::Episode& episode, const Rollout& rollout, const EvaluationOptions& evaluation,
                           const FusionOptions& fusion) {
  Comparison out;
  if (rollout.views.empty()) {
    out.evaluation_error = out.cloud_error = "the rollout has no predicted images (Fast-WAM predicts actions only)";
    return out;
  }
  try {
    out.report = std::make_shared<const EvaluationReport>(evaluate_against_recording(episode, rollout, evaluation));
  } catch (const std::exception& e) {
    out.evaluation_error = e.what();
  }
  try {
    out.clouds = fuse_with_errors(episode, rollout, fusion);
  } catch (const std::exception& e) {
    out.cloud_error = e.what();
  }
  return out;
}

}  // namespace xwam::geometry
