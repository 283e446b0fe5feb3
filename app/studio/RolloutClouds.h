// The 4D clouds the 3D view shows for a rollout: the prediction fused with the episode's calibration
// and the recording fused at the same frames and cameras, with per-point errors of the prediction.
#pragma once
#include <memory>

#include "engine/data/Episode.h"
#include "engine/geometry/CloudSequence.h"
#include "engine/geometry/Rollout.h"

namespace xwam::studio {

struct RolloutClouds {
  std::shared_ptr<const geometry::CloudSequence> predicted, recorded;
};

// Throws xwam::Error (from fusion) naming the camera when a view has no depth or calibration.
RolloutClouds fuse_rollout_clouds(const data::Episode& episode, const geometry::Rollout& rollout);

}  // namespace xwam::studio
