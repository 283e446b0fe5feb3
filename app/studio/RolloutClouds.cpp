#include "app/studio/RolloutClouds.h"

#include <algorithm>

#include "engine/geometry/SequenceFusion.h"

namespace xwam::studio {

RolloutClouds fuse_rollout_clouds(const data::Episode& episode, const geometry::Rollout& rollout) {
  const geometry::FusionOptions options;
  auto predicted = std::make_shared<geometry::CloudSequence>(geometry::fuse_predicted(episode, rollout, options));
  std::vector<int> frames;
  for (int f : rollout.frame_indices) frames.push_back(std::clamp(f - episode.first_frame, 0, episode.num_frames - 1));
  std::vector<std::string> cameras;
  for (const auto& v : rollout.views) cameras.push_back(v.camera);
  auto recorded = std::make_shared<geometry::CloudSequence>(geometry::fuse_recorded(episode, frames, options, cameras));
  geometry::set_point_errors(*predicted, *recorded);
  return {predicted, recorded};
}

}  // namespace xwam::studio
