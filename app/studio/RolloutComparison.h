// Comparing a rollout with its recording: the recording brought to the rollout's image size (models
// predict at their own resolution; metrics compare at that resolution), and the 4D clouds the 3D view
// shows — the prediction and the recording fused at the same frames, with per-point errors.
#pragma once
#include <memory>

#include "engine/data/Episode.h"
#include "engine/geometry/CloudSequence.h"
#include "engine/geometry/Rollout.h"

namespace xwam::studio {

// A copy of `episode` whose cameras that are rollout views have the view's size: RGB bilinear, depth
// nearest, intrinsics scaled. Other cameras are kept as they are.
data::Episode episode_at_rollout_size(const data::Episode& episode, const geometry::Rollout& rollout);

struct RolloutClouds {
  std::shared_ptr<const geometry::CloudSequence> predicted, recorded;
};

// Throws xwam::Error (from fusion) naming the camera when a view has no depth or calibration.
RolloutClouds fuse_rollout_clouds(const data::Episode& episode, const geometry::Rollout& rollout);

}  // namespace xwam::studio
