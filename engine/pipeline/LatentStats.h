// Per-channel statistics of a VAE's latents over training clips. Wan2.2 normalizes its latents with
// fixed per-channel mean and std so that the DiT's flow matching mixes unit-scale data with unit
// noise; a VAE trained here gets its own (task.normalize_latents in the X-WAM training config).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "engine/data/ClipLoader.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/VideoVae.h"

namespace xwam::pipeline {

struct LatentStats {
  std::vector<float> mean, std;  // z_dim each
  int64_t clips = 0;             // clips the statistics were taken over
};

// Encodes the RGB (and, where the clips have it, the depth pseudo-RGB) of every view of `batches`
// batches from `loader` with `vae` as it is (its current normalization included) and returns each
// channel's mean and standard deviation. Throws xwam::Error when the loader yields no clip or a channel
// is constant.
LatentStats estimate_latent_stats(model::VideoVae& vae, data::ClipLoader& loader, const model::XWamConfig& config,
                                  int batches, torch::Device device);

}  // namespace xwam::pipeline
