// Perfect rollouts copied from recorded episodes.
#include "RolloutBuilder.h"

namespace xwam::test {

geometry::Rollout rollout_from_episode(const data::Episode& episode, int start, int stride, int count) {
  geometry::Rollout r;
  r.scene = "memory";
  r.episode_name = episode.name;
  r.mode = "test";
  r.start_frame = start;
  for (int k = 1; k <= count; ++k) r.frame_indices.push_back(start + k * stride);
  for (size_t c = 0; c < episode.cameras.size(); ++c) {
    const auto& cam = episode.cameras[c];
    geometry::RolloutView v{cam.name, cam.width, cam.height, {}, {}};
    const size_t pixels = static_cast<size_t>(cam.width) * cam.height;
    for (int f : r.frame_indices) {
      v.rgb.insert(v.rgb.end(), episode.rgb_frame(static_cast<int>(c), f), episode.rgb_frame(static_cast<int>(c), f) + 3 * pixels);
      if (const float* d = episode.depth_frame(static_cast<int>(c), f)) v.depth.insert(v.depth.end(), d, d + pixels);
    }
    r.views.push_back(std::move(v));
  }
  for (int f : r.frame_indices) r.states.insert(r.states.end(), episode.state(f), episode.state(f) + data::kStateDim);
  for (int a = start; a < r.frame_indices.back(); ++a) {
    r.action_frame_indices.push_back(a);
    r.actions.insert(r.actions.end(), episode.action(a), episode.action(a) + data::kActionDim);
  }
  return r;
}

}  // namespace xwam::test
