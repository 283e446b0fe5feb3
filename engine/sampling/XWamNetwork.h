// The X-WAM model behind the denoiser's network interface: binds the clean conditions (first latent
// frame of every view, state s_0, instruction embedding) and maps each planned call onto one model pass.
#pragma once
#include "engine/model/XWamModel.h"
#include "engine/sampling/Denoiser.h"

namespace xwam::sampling {

struct Conditions {
  torch::Tensor video;  // [B, V, C, 1, h, w] clean latents of the observation O_0
  torch::Tensor state;  // [B, 1, 16] normalized s_0
  torch::Tensor text;   // [B, Lc, text_dim]
  torch::Tensor empty_text;  // same shape, for classifier-free guidance's unconditional pass
};

// Tokens it denoises: video [B, V, C, F − 1, h, w] (future latent frames), state [B, S − 1, 16],
// action [B, K, 14]. Fast-WAM calls (no future video) run the context-only pass.
class XWamNetwork : public DenoisingNetwork {
 public:
  XWamNetwork(model::XWamModel model, Conditions conditions);
  Prediction predict(const NetworkCall& call) override;
  // Noise of the right shapes for `batch` samples, from a seed (video undefined for Fast-WAM plans).
  Tokens start_noise(int64_t batch, uint64_t seed, bool future_video) const;

 private:
  model::XWamModel model_;
  Conditions cond_;
};

}  // namespace xwam::sampling
