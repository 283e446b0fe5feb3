// Builds rollouts from a recorded episode ("perfect predictions") that tests then perturb.
#pragma once
#include "engine/data/Episode.h"
#include "engine/geometry/Rollout.h"

namespace xwam::test {

// Predicted frames start+stride, start+2·stride, … (count of them) copied from `episode`: RGB, depth,
// states; actions for steps start … last frame − 1.
geometry::Rollout rollout_from_episode(const data::Episode& episode, int start, int stride, int count);

}  // namespace xwam::test
