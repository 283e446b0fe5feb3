// The X-WAM network: one token sequence [video (t, view, h, w); actions; states] through Wan2.2 DiT
// blocks with per-token timesteps, learnable view embeddings, state/action MLPs on the video's time
// axis, and a one-way depth branch (M blocks that attend over their own keys/values and those the last M
// main blocks computed).
// Parameter names follow Wan2.2 / the released X-WAM checkpoints (blocks.N.*, extra_blocks.0.J.*,
// head.*, extra_heads.0.*, view_embedding.weight, action_encoder.{0,2}.*, proprio_decoder.{0,2}.*, ...).
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>

#include "engine/model/ModelConfig.h"
#include "engine/model/WanBlock.h"

namespace xwam::model {

struct ModelInputs {
  // [B, V, C_in, F, h, w] latents; latent frame 0 is the clean condition. F = latent_frames, or F = 1
  // for a context-only pass (Fast-WAM inference: no future video tokens at all).
  torch::Tensor video;
  torch::Tensor states;    // [B, S, 16] normalized; state 0 is the clean condition
  torch::Tensor actions;   // [B, K, 14] normalized
  torch::Tensor t_video;   // [B] timesteps 0..1000 of the future video frames
  torch::Tensor t_state;   // [B] of the future states
  torch::Tensor t_action;  // [B] of the actions (0 = clean, e.g. action-conditioned)
  torch::Tensor text;      // [B, Lc, text_dim] instruction embedding
  bool run_depth = false;     // run the depth branch (only the final video step needs it)
  bool fastwam_mask = false;  // actions (and the clean context) never see future video / states
};

struct ModelOutputs {
  torch::Tensor video;    // [B, V, C_out, F, h, w] velocity (ε − x_0)
  torch::Tensor states;   // [B, S, 16] velocity
  torch::Tensor actions;  // [B, K, 14] velocity
  torch::Tensor depth;    // [B, V, C_out, F, h, w] clean depth latents; undefined without run_depth
};

struct XWamModelImpl : torch::nn::Module {
  // Built on `device` with weights in `dtype` (see set_dtype), one block at a time: the 5B network
  // never exists whole in float32 on the host.
  explicit XWamModelImpl(const XWamConfig& config, torch::Device device = torch::kCPU,
                         torch::ScalarType dtype = torch::kFloat32);
  // Shapes are checked against the config (xwam::Error naming the input and both shapes). Inputs of
  // any floating dtype; outputs float32.
  ModelOutputs forward(const ModelInputs& in);
  // Weights in `dtype` (bfloat16 / float16 halve the memory) except the parts the released code runs
  // in float32: timestep embedding and projection, adaLN modulation, the cross-attention norm, the
  // output heads, view embedding and state/action MLPs. The residual stream stays float32 and each
  // matrix product casts its input to its weights' dtype.
  void set_dtype(torch::ScalarType dtype);

  // Token positions (frame, row, col) in latent units: action k at k / (actions_per_frame · tc),
  // state j at j / tc — so a state and the actions of the same time share the temporal rotation.
  // `frames` latent frames of video tokens (latent_frames, or 1 for a context-only pass).
  torch::Tensor token_positions(int frames) const;
  // The attention mask of the Fast-WAM mode over the token sequence ([L, L] bool).
  torch::Tensor fastwam_mask(int frames) const;

  XWamConfig config;
  // Training only: blocks keep their inputs alone and run again in the backward pass (activation
  // memory of one block instead of all; one more forward). Same gradients.
  bool gradient_checkpointing = false;
  torch::nn::Conv3d patch_embedding{nullptr};
  torch::nn::Sequential text_embedding{nullptr}, time_embedding{nullptr}, time_projection{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  Head head{nullptr};
  torch::nn::Embedding view_embedding{nullptr};
  torch::nn::Sequential action_encoder{nullptr}, action_decoder{nullptr}, proprio_encoder{nullptr}, proprio_decoder{nullptr};
  torch::nn::ModuleList extra_blocks{nullptr};  // extra_blocks.0.J
  torch::nn::ModuleList extra_heads{nullptr};   // extra_heads.0

 private:
  void place_rest(torch::Device device, torch::ScalarType dtype);  // the parts outside the blocks
  // Per (latent frames, device): the rotary tables and the Fast-WAM mask of that token layout. Like
  // the rest of forward(), not for concurrent calls on one model.
  struct Layout {
    Rope rope;
    torch::Tensor fastwam_mask;
  };
  std::map<std::pair<int, std::string>, Layout> layouts_;
};
TORCH_MODULE(XWamModel);

// Sinusoidal embedding of (possibly fractional) timesteps, Wan2.2 order: [cos, sin], float32.
torch::Tensor timestep_embedding(const torch::Tensor& t, int dim);

// Parameters by part, counted from the config alone (no allocation): trunk, depth branch, heads+MLPs.
struct ParameterCounts {
  int64_t dit = 0;           // patch/text/time embeddings, blocks, head (the Wan2.2 DiT)
  int64_t depth_branch = 0;  // extra blocks + extra head
  int64_t xwam_heads = 0;    // view embedding, action/proprio encoders and decoders
  int64_t total() const { return dit + depth_branch + xwam_heads; }
};
ParameterCounts count_parameters(const XWamConfig& config);

}  // namespace xwam::model
