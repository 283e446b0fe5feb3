// A batch of clips as the model's tensors: RGB for the VAE, depth as the VAE's pseudo-RGB, states,
// actions and their masks. The clip layout (data/Clip.h) is view-major, like the model's.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "engine/data/Clip.h"
#include "engine/model/ModelConfig.h"

namespace xwam::pipeline {

struct ClipBatch {
  torch::Tensor rgb;          // [B, V, 3, F, H, W] in [−1, 1]
  torch::Tensor depth;        // [B, V, F, H, W] metres (0 = invalid); undefined when a clip has none
  torch::Tensor depth_code;   // [B, V, F, H, W] in [−1, 1], 8-bit depth of unknown mapping (Clip::depth_code);
                              // undefined unless every clip has it
  torch::Tensor states;       // [B, F, 16] normalized
  torch::Tensor actions;      // [B, K, 14] normalized; undefined for condition-only clips
  torch::Tensor state_mask;   // [B, 16] 1 = real dimension
  torch::Tensor action_mask;  // [B, 14]
  std::vector<std::string> instructions;
};

// Depth as the VAE's pseudo-RGB [B, V, 3, F, H, W]: metric depth through model::depth_to_pseudo_rgb, 8-bit
// codes as the released code feeds its depth video (the normalized value in all three channels).
// Undefined when the batch has neither.
torch::Tensor depth_pseudo_rgb(const ClipBatch& batch, const model::XWamConfig& config);

// Checks every clip against the config (views, size, frames, actions) and throws xwam::Error naming
// the episode and what differs.
ClipBatch to_batch(const std::vector<data::Clip>& clips, const model::XWamConfig& config, bool with_future = true);

// The clip spec a config needs: H = video_frames − 1 future frames, actions_per_frame steps apart,
// at the model's image size, with `cameras` as views (empty = the episode's order).
data::ClipSpec clip_spec(const model::XWamConfig& config, std::vector<std::string> cameras = {});

}  // namespace xwam::pipeline
