// Building blocks of the Wan2.2 video VAE (vae2_2.py), names as in its state dict: causal 3D
// convolution, channel RMS norm, 2D/3D resampling, residual and attention blocks, the parameter-free
// shortcuts (AvgDown3D, DupUp3D), and the per-layer feature cache of chunked processing.
// Internal to engine/model: the public interface is VideoVae.h.
#pragma once
#include <array>
#include <deque>
#include <vector>

#include <torch/torch.h>

#include "engine/model/ModelConfig.h"

namespace xwam::model::vae {

// Wan2.2's feat_cache: one slot per cached layer, visited in the same order in every chunk, holding
// the last input frames that layer saw (at most 2) so the next chunk's causal window continues them.
class FeatureCache {
 public:
  struct Slot {
    bool visited = false;  // visited with frames undefined = Wan2.2's "Rep" (temporal upsampling skipped)
    torch::Tensor frames;
  };
  void start_chunk() { cursor_ = 0; }
  Slot& next();  // the next cached layer's slot (references stay valid: deque)

 private:
  std::deque<Slot> slots_;
  size_t cursor_ = 0;
};

// The last n frames (dim 2) of x, fewer if x is shorter.
torch::Tensor last_frames(const torch::Tensor& x, int64_t n);

// Conv3d whose time padding is all in front (2·pad_t zeros, or the cached frames that precede x), so
// output frame t sees input frames ≤ t. Parameters weight [out, in, kt, kh, kw], bias [out].
struct CausalConv3dImpl : torch::nn::Module {
  CausalConv3dImpl(int64_t in, int64_t out, std::array<int64_t, 3> kernel, std::array<int64_t, 3> stride,
                   std::array<int64_t, 3> padding, torch::Device device);
  // `cache`: frames preceding x (replace that many front zeros); undefined = the sequence starts here.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cache = {});
  torch::Tensor weight, bias;
  std::array<int64_t, 3> stride, padding;
};
TORCH_MODULE(CausalConv3d);

// The causal conv inside a chunked pass: reads and refreshes its cache slot (Wan2.2's pattern in
// ResidualBlock, the encoder/decoder conv1 and heads).
torch::Tensor cached_conv(CausalConv3dImpl& conv, const torch::Tensor& x, FeatureCache& cache);

// Plain Conv2d with own parameters (weight [out, in, k, k], bias [out]) so it can live on any device.
struct Conv2dImpl : torch::nn::Module {
  Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
  int64_t stride, padding;
};
TORCH_MODULE(Conv2d);

// RMS_norm: L2-normalize over channels (dim 1), times √dim and a learnt per-channel `gamma`
// ([dim, 1, 1, 1] for videos, [dim, 1, 1] for images).
struct RmsNormImpl : torch::nn::Module {
  RmsNormImpl(int64_t dim, bool images, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor gamma;
  double scale;
};
TORCH_MODULE(RmsNorm);

// residual: [RMS_norm, SiLU, conv3, RMS_norm, SiLU, Dropout, conv3] + shortcut (1×1×1 conv when the
// width changes).
struct ResidualBlockImpl : torch::nn::Module {
  ResidualBlockImpl(int64_t in, int64_t out, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache);
  torch::nn::ModuleList residual;
  RmsNorm norm1{nullptr}, norm2{nullptr};
  CausalConv3d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(ResidualBlock);

// Single-head self-attention over the pixels of each frame (frames independent, so causal).
struct AttentionBlockImpl : torch::nn::Module {
  AttentionBlockImpl(int64_t dim, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x);
  RmsNorm norm{nullptr};
  Conv2d to_qkv{nullptr}, proj{nullptr};
};
TORCH_MODULE(AttentionBlock);

// Resample: 2× spatial down/up per frame (resample.1 is the conv), plus for the 3d modes a temporal
// 2× through time_conv, skipped on the first chunk (the first frame stays alone).
struct ResampleImpl : torch::nn::Module {
  enum class Mode { Downsample2d, Downsample3d, Upsample2d, Upsample3d };
  ResampleImpl(int64_t dim, Mode mode, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache);
  Mode mode;
  torch::nn::ModuleList resample;
  Conv2d conv{nullptr};
  CausalConv3d time_conv{nullptr};
};
TORCH_MODULE(Resample);

// AvgDown3D: space/time to channels, then the mean of groups of channels (the time axis is padded in
// front to a multiple of factor_t). Throws if in·factor is not a multiple of out.
torch::Tensor avg_down_3d(const torch::Tensor& x, int64_t out_channels, int64_t factor_t, int64_t factor_s);
// DupUp3D: channels repeated and moved to space/time; on the first chunk the first factor_t − 1
// frames are dropped (one latent frame → one video frame).
torch::Tensor dup_up_3d(const torch::Tensor& x, int64_t out_channels, int64_t factor_t, int64_t factor_s,
                        bool first_chunk);

// Down_ResidualBlock: `mult` residual blocks (+ Resample) + avg_down_3d shortcut of the input.
struct DownResidualBlockImpl : torch::nn::Module {
  DownResidualBlockImpl(int64_t in, int64_t out, int num_res_blocks, bool temporal_down, bool down,
                        torch::Device device);
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache);
  torch::nn::ModuleList downsamples;
  std::vector<ResidualBlock> blocks;
  Resample resample{nullptr};
  int64_t out_dim, factor_t, factor_s;
};
TORCH_MODULE(DownResidualBlock);

// Up_ResidualBlock: `mult` residual blocks (+ Resample) + dup_up_3d shortcut when it upsamples.
struct UpResidualBlockImpl : torch::nn::Module {
  UpResidualBlockImpl(int64_t in, int64_t out, int num_res_blocks, bool temporal_up, bool up, torch::Device device);
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache, bool first_chunk);
  torch::nn::ModuleList upsamples;
  std::vector<ResidualBlock> blocks;
  Resample resample{nullptr};
  int64_t out_dim, factor_t, factor_s;
  bool up;
};
TORCH_MODULE(UpResidualBlock);

// Encoder3d: conv1 (3·p² → base), downsamples.i per level (width base·mult[i], 2× space between
// levels, 2× time where temporal_down), middle [res, attention, res], head → 2·z_dim channels.
struct Encoder3dImpl : torch::nn::Module {
  Encoder3dImpl(const VaeConfig& config, torch::Device device);
  // One chunk (1 frame first, then tc frames) of patchified video → its latent frames.
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache);
  CausalConv3d conv1{nullptr};
  torch::nn::ModuleList downsamples, middle, head;
  std::vector<DownResidualBlock> stages;
  ResidualBlock middle_res1{nullptr}, middle_res2{nullptr};
  AttentionBlock middle_attn{nullptr};
  RmsNorm head_norm{nullptr};
  CausalConv3d head_conv{nullptr};
};
TORCH_MODULE(Encoder3d);

// Decoder3d: the mirror image at width dec_base·mult (reversed, num_res_blocks + 1 blocks per level),
// head → 3·p² channels.
struct Decoder3dImpl : torch::nn::Module {
  Decoder3dImpl(const VaeConfig& config, torch::Device device);
  // One latent frame → its video frames (1 on the first chunk, tc after).
  torch::Tensor forward(const torch::Tensor& x, FeatureCache& cache, bool first_chunk);
  CausalConv3d conv1{nullptr};
  torch::nn::ModuleList middle, upsamples, head;
  std::vector<UpResidualBlock> stages;
  ResidualBlock middle_res1{nullptr}, middle_res2{nullptr};
  AttentionBlock middle_attn{nullptr};
  RmsNorm head_norm{nullptr};
  CausalConv3d head_conv{nullptr};
};
TORCH_MODULE(Decoder3d);

// patchify: [B, C, T, H·p, W·p] → [B, C·p·p, T, H, W], channel c·p² + r·p + q for pixel (h·p + q, w·p + r)
// (einops "b c f (h q) (w r) -> b (c r q) f h w"); unpatchify is its inverse.
torch::Tensor patchify(const torch::Tensor& x, int64_t p);
torch::Tensor unpatchify(const torch::Tensor& x, int64_t p);

}  // namespace xwam::model::vae
