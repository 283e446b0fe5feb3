// The causal 3D video VAE of Wan2.2 (vae2_2.py structure and parameter names, sizes from VaeConfig):
// 2×2 pixel patchify, causal temporal convolutions, the first frame encoded alone (1 + 4k frames →
// 1 + k latent frames), latents normalized per channel. Depth goes through it as 3-channel
// pseudo-RGB of normalized inverse depth (see depth_to_pseudo_rgb).
//
//   VideoVae vae(config.vae);
//   auto z = vae->encode(rgb);    // [B, 3, 1+4k, H, W] in [−1, 1] → [B, z_dim, 1+k, H/16, W/16]
//   auto x = vae->decode(z);      // back to [B, 3, 1+4k, H, W], clamped to [−1, 1]
//   VaeDecoding stream(*vae, z);  // or frame by frame: the same values, each as soon as it is ready
//   while (!stream.done()) show(stream.next());
#pragma once
#include <torch/torch.h>

#include "engine/model/ModelConfig.h"
#include "engine/model/VaeBlocks.h"

namespace xwam::model {

struct VaeEncoding {
  torch::Tensor mean;     // [B, z_dim, T', h, w] normalized latents (what the DiT sees)
  torch::Tensor log_var;  // same shape, log variance in the normalized space (log_var_raw − 2·log std)
};

struct VideoVaeImpl : torch::nn::Module {
  // Throws xwam::Error naming the field when the config's widths do not fit together. `device` kMeta
  // builds parameter shapes only (names and counts of the 5B VAE without its 2.8 GB).
  explicit VideoVaeImpl(const VaeConfig& config, torch::Device device = torch::kCPU);
  // x: [B, 3, T, H, W], T = 1 + tc·k, H and W multiples of the spatial compression. Throws xwam::Error
  // naming the shape otherwise. Causal: latent frame j depends on video frames ≤ 1 + tc·(j − 1) only.
  VaeEncoding encode_distribution(const torch::Tensor& x);
  torch::Tensor encode(const torch::Tensor& x) { return encode_distribution(x).mean; }
  // z: [B, z_dim, 1 + k, h, w] normalized latents → [B, 3, 1 + tc·k, h·s, w·s]. Causal: video frames
  // of latent frame j depend on latent frames ≤ j only.
  torch::Tensor decode(const torch::Tensor& z);
  // Replaces the per-channel normalization (config.latent_mean/latent_std too); empty vectors remove
  // it. Throws xwam::Error unless both hold z_dim values and every std is positive.
  void set_latent_stats(std::vector<float> mean, std::vector<float> std);

  VaeConfig config;
  // Submodules registered under Wan2.2's names: encoder.*, conv1.*, conv2.*, decoder.*
  vae::Encoder3d encoder{nullptr};
  vae::CausalConv3d conv1{nullptr}, conv2{nullptr};  // 1×1×1: encoder output → (mu, log_var); z → decoder
  vae::Decoder3d decoder{nullptr};

 private:
  friend class VaeDecoding;
  torch::Tensor latent_mean_, latent_std_;  // [1, z_dim, 1, 1, 1]; constants, not in the state dict
};
TORCH_MODULE(VideoVae);

// One latent sequence decoded latent frame by latent frame through its own feature cache, so several
// sequences (views, RGB and depth) can advance side by side. The frames are bit-identical to decode()'s
// (which is this, concatenated). Holds a reference to the VAE: it must outlive the decoding.
class VaeDecoding {
 public:
  // z as for decode(); throws xwam::Error naming the shape otherwise.
  VaeDecoding(VideoVaeImpl& vae, const torch::Tensor& z);
  int64_t latent_frames() const { return x_.size(2); }
  int64_t decoded() const { return next_; }
  bool done() const { return next_ >= latent_frames(); }
  // The video frames of the next latent frame: [B, 3, 1, H, W] for the first, [B, 3, tc, H, W] after,
  // clamped to [−1, 1].
  torch::Tensor next();

 private:
  VideoVaeImpl& vae_;
  torch::Tensor x_;  // the decoder's input (conv2 of the de-normalized latents)
  vae::FeatureCache cache_;
  int64_t next_ = 0;
};

// Metric depth [.., H, W] (0 = invalid) ↔ the VAE's 3-channel input: inverse depth mapped linearly
// from [1/far, 1/near] to [−1, 1], tiled ×3 on a new channel axis `channel_dim`.
torch::Tensor depth_to_pseudo_rgb(const torch::Tensor& depth_m, int64_t channel_dim, double near_m, double far_m);
// Inverse of the above: averages the 3 channels, returns metres (clamped to [near, far]).
torch::Tensor pseudo_rgb_to_depth(const torch::Tensor& rgb, int64_t channel_dim, double near_m, double far_m);

}  // namespace xwam::model
