#include "engine/pipeline/ClipBatch.h"

#include "engine/core/Error.h"
#include "engine/model/VideoVae.h"

namespace xwam::pipeline {

data::ClipSpec clip_spec(const model::XWamConfig& config, std::vector<std::string> cameras) {
  data::ClipSpec spec;
  spec.future_frames = config.video_frames() - 1;
  spec.frame_skip = config.actions_per_frame;
  spec.width = config.image_width();
  spec.height = config.image_height();
  spec.cameras = std::move(cameras);
  return spec;
}

torch::Tensor depth_pseudo_rgb(const ClipBatch& b, const model::XWamConfig& c) {
  if (b.depth.defined()) return model::depth_to_pseudo_rgb(b.depth, 2, c.depth_near_m, c.depth_far_m);
  if (b.depth_code.defined()) return b.depth_code.unsqueeze(2).repeat({1, 1, 3, 1, 1, 1});
  return {};
}

ClipBatch to_batch(const std::vector<data::Clip>& clips, const model::XWamConfig& c, bool with_future) {
  if (clips.empty()) throw Error("batch", "no clips");
  const int64_t B = clips.size(), V = c.views, H = c.image_height(), W = c.image_width();
  const int64_t F = with_future ? c.video_frames() : 1, K = c.num_actions;
  const bool has_depth = std::all_of(clips.begin(), clips.end(), [](const data::Clip& k) { return !k.depth.empty(); });
  const bool has_code = std::all_of(clips.begin(), clips.end(), [](const data::Clip& k) { return !k.depth_code.empty(); });
  ClipBatch b;
  b.rgb = torch::empty({B, V, 3, F, H, W});
  if (has_depth) b.depth = torch::empty({B, V, F, H, W});
  if (has_code) b.depth_code = torch::empty({B, V, F, H, W});
  b.states = torch::empty({B, F, c.state_dim});
  if (with_future) b.actions = torch::empty({B, K, c.action_dim});
  b.state_mask = torch::empty({B, c.state_dim});
  b.action_mask = torch::empty({B, c.action_dim});
  for (int64_t i = 0; i < B; ++i) {
    const data::Clip& k = clips[i];
    const std::string where = "episode " + k.episode + " frame " + std::to_string(k.start_frame);
    if (k.views != V || k.height != H || k.width != W || k.frames != F)
      throw Error("clip", where,
                  "has " + std::to_string(k.views) + " views of " + std::to_string(k.frames) + "×" +
                      std::to_string(k.height) + "×" + std::to_string(k.width) + ", the model needs " + std::to_string(V) +
                      " of " + std::to_string(F) + "×" + std::to_string(H) + "×" + std::to_string(W));
    if (with_future && static_cast<int64_t>(k.actions.size()) != K * c.action_dim)
      throw Error("clip", where, "has " + std::to_string(k.actions.size() / c.action_dim) + " actions, the model needs " +
                                     std::to_string(K));
    b.rgb[i].copy_(torch::from_blob(const_cast<float*>(k.rgb.data()), {V, 3, F, H, W}));
    if (has_depth) b.depth[i].copy_(torch::from_blob(const_cast<float*>(k.depth.data()), {V, F, H, W}));
    if (has_code) b.depth_code[i].copy_(torch::from_blob(const_cast<float*>(k.depth_code.data()), {V, F, H, W}));
    b.states[i].copy_(torch::from_blob(const_cast<float*>(k.states.data()), {F, c.state_dim}));
    if (with_future) b.actions[i].copy_(torch::from_blob(const_cast<float*>(k.actions.data()), {K, c.action_dim}));
    b.state_mask[i].copy_(torch::from_blob(const_cast<float*>(k.state_mask.data()), {c.state_dim}));
    b.action_mask[i].copy_(torch::from_blob(const_cast<float*>(k.action_mask.data()), {c.action_dim}));
    b.instructions.push_back(k.instruction);
  }
  return b;
}

}  // namespace xwam::pipeline
