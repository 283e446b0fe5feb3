// Wan2.2 VAE building blocks (see VaeBlocks.h): chunked causal processing with Wan2.2's feature cache.
#include "engine/model/VaeBlocks.h"

#include <cmath>
#include <string>

#include "engine/core/Error.h"

namespace xwam::model::vae {

namespace {

// PyTorch's default Conv init (kaiming_uniform with a = √5, i.e. U(±1/√fan_in) for weight and bias).
// Meta tensors (shape-only modules) are left as they are.
void init_conv(torch::Tensor& weight, torch::Tensor& bias, int64_t fan_in) {
  if (weight.is_meta()) return;
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  weight.uniform_(-bound, bound);
  bias.uniform_(-bound, bound);
}

// [B, C, T, H, W] ↔ [B·T, C, H, W] for the per-frame 2D layers.
torch::Tensor frames_to_images(const torch::Tensor& x) {
  return x.permute({0, 2, 1, 3, 4}).reshape({x.size(0) * x.size(2), x.size(1), x.size(3), x.size(4)});
}
torch::Tensor images_to_frames(const torch::Tensor& x, int64_t batch) {
  return x.reshape({batch, x.size(0) / batch, x.size(1), x.size(2), x.size(3)}).permute({0, 2, 1, 3, 4});
}

}  // namespace

FeatureCache::Slot& FeatureCache::next() {
  if (cursor_ == slots_.size()) slots_.emplace_back();
  return slots_[cursor_++];
}

torch::Tensor last_frames(const torch::Tensor& x, int64_t n) {
  return x.slice(2, std::max<int64_t>(0, x.size(2) - n));
}

// ---- CausalConv3d ----------------------------------------------------------------------------

CausalConv3dImpl::CausalConv3dImpl(int64_t in, int64_t out, std::array<int64_t, 3> kernel,
                                   std::array<int64_t, 3> stride_, std::array<int64_t, 3> padding_,
                                   torch::Device device)
    : stride(stride_), padding(padding_) {
  auto options = torch::TensorOptions().device(device);
  weight = register_parameter("weight", torch::empty({out, in, kernel[0], kernel[1], kernel[2]}, options));
  bias = register_parameter("bias", torch::empty({out}, options));
  init_conv(weight, bias, in * kernel[0] * kernel[1] * kernel[2]);
}

torch::Tensor CausalConv3dImpl::forward(const torch::Tensor& x_in, const torch::Tensor& cache) {
  torch::Tensor x = x_in;
  int64_t front = 2 * padding[0];
  // Cached frames stand in for (part of) the zero padding in front.
  if (cache.defined() && front > 0) {
    x = torch::cat({cache.to(x.device(), x.scalar_type()), x}, 2);
    front -= cache.size(2);
  }
  x = torch::constant_pad_nd(x, {padding[2], padding[2], padding[1], padding[1], front, 0}, 0);
  return torch::conv3d(x, weight, bias, {stride[0], stride[1], stride[2]});
}

torch::Tensor cached_conv(CausalConv3dImpl& conv, const torch::Tensor& x, FeatureCache& cache) {
  auto& slot = cache.next();
  // Keep the last two input frames; a one-frame chunk keeps the previous chunk's last frame too.
  auto keep = last_frames(x, 2);
  if (keep.size(2) < 2 && slot.frames.defined()) keep = torch::cat({last_frames(slot.frames, 1), keep}, 2);
  auto y = conv.forward(x, slot.frames);
  slot.visited = true;
  slot.frames = keep.clone();
  return y;
}

// ---- Conv2d, RmsNorm ---------------------------------------------------------------------------

Conv2dImpl::Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride_, int64_t padding_,
                       torch::Device device)
    : stride(stride_), padding(padding_) {
  auto options = torch::TensorOptions().device(device);
  weight = register_parameter("weight", torch::empty({out, in, kernel, kernel}, options));
  bias = register_parameter("bias", torch::empty({out}, options));
  init_conv(weight, bias, in * kernel * kernel);
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
}

RmsNormImpl::RmsNormImpl(int64_t dim, bool images, torch::Device device) : scale(std::sqrt(double(dim))) {
  std::vector<int64_t> shape{dim, 1, 1};
  if (!images) shape.push_back(1);
  gamma = register_parameter("gamma", torch::ones(shape, torch::TensorOptions().device(device)));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
  // F.normalize(x, dim=1): x / max(‖x‖₂, 1e-12).
  auto norm = x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
  return x / norm * scale * gamma;
}

// ---- ResidualBlock, AttentionBlock -------------------------------------------------------------

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, torch::Device device) {
  norm1 = RmsNorm(in, /*images=*/false, device);
  conv1 = CausalConv3d(in, out, std::array<int64_t, 3>{3, 3, 3}, std::array<int64_t, 3>{1, 1, 1},
                       std::array<int64_t, 3>{1, 1, 1}, device);
  norm2 = RmsNorm(out, /*images=*/false, device);
  conv2 = CausalConv3d(out, out, std::array<int64_t, 3>{3, 3, 3}, std::array<int64_t, 3>{1, 1, 1},
                       std::array<int64_t, 3>{1, 1, 1}, device);
  // Wan2.2's Sequential indices: residual.0 norm, .2 conv, .3 norm, .6 conv (SiLU and Dropout(0) hold
  // no parameters but keep the numbering).
  residual = register_module("residual", torch::nn::ModuleList(norm1, torch::nn::SiLU(), conv1, norm2,
                                                                torch::nn::SiLU(), torch::nn::Dropout(0.0), conv2));
  if (in != out)
    shortcut = register_module("shortcut", CausalConv3d(in, out, std::array<int64_t, 3>{1, 1, 1},
                                                        std::array<int64_t, 3>{1, 1, 1},
                                                        std::array<int64_t, 3>{0, 0, 0}, device));
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, FeatureCache& cache) {
  auto h = shortcut ? shortcut->forward(x) : x;
  auto y = cached_conv(*conv1, torch::silu(norm1->forward(x)), cache);
  y = cached_conv(*conv2, torch::silu(norm2->forward(y)), cache);
  return y + h;
}

AttentionBlockImpl::AttentionBlockImpl(int64_t dim, torch::Device device) {
  norm = register_module("norm", RmsNorm(dim, /*images=*/true, device));
  to_qkv = register_module("to_qkv", Conv2d(dim, dim * 3, 1, 1, 0, device));
  proj = register_module("proj", Conv2d(dim, dim, 1, 1, 0, device));
  // Wan2.2 zero-initializes the output projection: the block starts as the identity.
  if (!proj->weight.is_meta()) {
    torch::NoGradGuard no_grad;
    proj->weight.zero_();
  }
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(3), w = x.size(4);
  auto images = norm->forward(frames_to_images(x));
  // [B·T, 3C, H, W] → q, k, v [B·T, H·W, C]; one head over all channels.
  auto qkv = to_qkv->forward(images).reshape({images.size(0), 3 * c, h * w}).permute({0, 2, 1}).chunk(3, -1);
  auto attn = torch::softmax(torch::matmul(qkv[0], qkv[1].transpose(1, 2)) / std::sqrt(double(c)), -1);
  auto out = torch::matmul(attn, qkv[2]).permute({0, 2, 1}).reshape({images.size(0), c, h, w});
  return images_to_frames(proj->forward(out), b) + x;
}

// ---- Resample ----------------------------------------------------------------------------------

ResampleImpl::ResampleImpl(int64_t dim, Mode mode_, torch::Device device) : mode(mode_) {
  const bool up = mode == Mode::Upsample2d || mode == Mode::Upsample3d;
  // resample.0 is the parameter-free resize (nearest 2× up, or zero pad right/bottom before a stride-2 conv).
  conv = up ? Conv2d(dim, dim, 3, 1, 1, device) : Conv2d(dim, dim, 3, 2, 0, device);
  resample = register_module("resample", torch::nn::ModuleList());
  if (up)
    resample->push_back(torch::nn::Upsample(
        torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
  else
    resample->push_back(torch::nn::ZeroPad2d(torch::nn::ZeroPad2dOptions({0, 1, 0, 1})));
  resample->push_back(conv);
  if (mode == Mode::Upsample3d)
    time_conv = register_module("time_conv", CausalConv3d(dim, dim * 2, std::array<int64_t, 3>{3, 1, 1},
                                                          std::array<int64_t, 3>{1, 1, 1},
                                                          std::array<int64_t, 3>{1, 0, 0}, device));
  if (mode == Mode::Downsample3d)
    time_conv = register_module("time_conv", CausalConv3d(dim, dim, std::array<int64_t, 3>{3, 1, 1},
                                                          std::array<int64_t, 3>{2, 1, 1},
                                                          std::array<int64_t, 3>{0, 0, 0}, device));
}

torch::Tensor ResampleImpl::forward(const torch::Tensor& x_in, FeatureCache& cache) {
  torch::Tensor x = x_in;
  const int64_t b = x.size(0), c = x.size(1);

  // Temporal 2× up: time_conv makes two frames (as 2·C channels) of every frame; the first chunk is
  // not upsampled (its slot is only marked, Wan2.2's "Rep"), the next one starts from zeros.
  if (mode == Mode::Upsample3d) {
    auto& slot = cache.next();
    if (!slot.visited) {
      slot.visited = true;
    } else {
      auto keep = last_frames(x, 2);
      if (keep.size(2) < 2)
        keep = torch::cat({slot.frames.defined() ? last_frames(slot.frames, 1) : torch::zeros_like(keep), keep}, 2);
      const int64_t t = x.size(2), h = x.size(3), w = x.size(4);
      x = time_conv->forward(x, slot.frames);
      slot.frames = keep.clone();
      x = x.reshape({b, 2, c, t, h, w}).permute({0, 2, 3, 1, 4, 5}).reshape({b, c, t * 2, h, w});
    }
  }

  // Spatial resampling frame by frame; nearest upsampling in float32 (bf16 support varies).
  auto images = frames_to_images(x);
  if (mode == Mode::Upsample2d || mode == Mode::Upsample3d) {
    images = resample[0]->as<torch::nn::Upsample>()->forward(images.to(torch::kFloat)).to(x.scalar_type());
  } else {
    images = resample[0]->as<torch::nn::ZeroPad2d>()->forward(images);
  }
  x = images_to_frames(conv->forward(images), b);

  // Temporal 2× down: the first chunk's frame passes alone; later chunks continue from the previous
  // chunk's last frame with a stride-2 window of 3.
  if (mode == Mode::Downsample3d) {
    auto& slot = cache.next();
    if (!slot.visited) {
      slot.visited = true;
      slot.frames = x.clone();
    } else {
      auto keep = last_frames(x, 1).clone();
      x = time_conv->forward(torch::cat({last_frames(slot.frames, 1), x}, 2));
      slot.frames = keep;
    }
  }
  return x;
}

// ---- AvgDown3D / DupUp3D -----------------------------------------------------------------------

torch::Tensor avg_down_3d(const torch::Tensor& x_in, int64_t out_channels, int64_t ft, int64_t fs) {
  const int64_t factor = ft * fs * fs;
  const int64_t in_channels = x_in.size(1);
  if ((in_channels * factor) % out_channels != 0)
    throw Error("AvgDown3D: " + std::to_string(in_channels) + "·" + std::to_string(factor) +
                " channels do not split into " + std::to_string(out_channels) + " groups");
  const int64_t pad_t = (ft - x_in.size(2) % ft) % ft;
  auto x = torch::constant_pad_nd(x_in, {0, 0, 0, 0, pad_t, 0}, 0);
  const int64_t B = x.size(0), C = x.size(1), T = x.size(2), H = x.size(3), W = x.size(4);
  x = x.reshape({B, C, T / ft, ft, H / fs, fs, W / fs, fs})
          .permute({0, 1, 3, 5, 7, 2, 4, 6})
          .reshape({B, out_channels, C * factor / out_channels, T / ft, H / fs, W / fs});
  return x.mean(2);
}

torch::Tensor dup_up_3d(const torch::Tensor& x_in, int64_t out_channels, int64_t ft, int64_t fs, bool first_chunk) {
  const int64_t factor = ft * fs * fs;
  const int64_t in_channels = x_in.size(1);
  if ((out_channels * factor) % in_channels != 0)
    throw Error("DupUp3D: " + std::to_string(out_channels) + "·" + std::to_string(factor) +
                " channels are not a multiple of " + std::to_string(in_channels));
  const int64_t B = x_in.size(0), T = x_in.size(2), H = x_in.size(3), W = x_in.size(4);
  auto x = x_in.repeat_interleave(out_channels * factor / in_channels, 1)
               .reshape({B, out_channels, ft, fs, fs, T, H, W})
               .permute({0, 1, 5, 2, 6, 3, 7, 4})
               .reshape({B, out_channels, T * ft, H * fs, W * fs});
  return first_chunk ? x.slice(2, ft - 1) : x;
}

// ---- Down/Up residual stages ---------------------------------------------------------------------

DownResidualBlockImpl::DownResidualBlockImpl(int64_t in, int64_t out, int num_res_blocks, bool temporal_down,
                                             bool down, torch::Device device)
    : out_dim(out), factor_t(temporal_down ? 2 : 1), factor_s(down ? 2 : 1) {
  if ((in * factor_t * factor_s * factor_s) % out != 0)
    throw Error("VaeConfig: encoder stage " + std::to_string(in) + " → " + std::to_string(out) +
                " channels: the AvgDown3D shortcut needs in·factor to be a multiple of out");
  downsamples = register_module("downsamples", torch::nn::ModuleList());
  for (int i = 0; i < num_res_blocks; ++i) {
    blocks.push_back(ResidualBlock(i == 0 ? in : out, out, device));
    downsamples->push_back(blocks.back());
  }
  if (down) {
    resample = Resample(out, temporal_down ? ResampleImpl::Mode::Downsample3d : ResampleImpl::Mode::Downsample2d,
                        device);
    downsamples->push_back(resample);
  }
}

torch::Tensor DownResidualBlockImpl::forward(const torch::Tensor& x, FeatureCache& cache) {
  auto y = x;
  for (auto& block : blocks) y = block->forward(y, cache);
  if (resample) y = resample->forward(y, cache);
  return y + avg_down_3d(x, out_dim, factor_t, factor_s);
}

UpResidualBlockImpl::UpResidualBlockImpl(int64_t in, int64_t out, int num_res_blocks, bool temporal_up, bool up_,
                                         torch::Device device)
    : out_dim(out), factor_t(temporal_up ? 2 : 1), factor_s(up_ ? 2 : 1), up(up_) {
  if (up && (out * factor_t * factor_s * factor_s) % in != 0)
    throw Error("VaeConfig: decoder stage " + std::to_string(in) + " → " + std::to_string(out) +
                " channels: the DupUp3D shortcut needs out·factor to be a multiple of in");
  upsamples = register_module("upsamples", torch::nn::ModuleList());
  for (int i = 0; i < num_res_blocks; ++i) {
    blocks.push_back(ResidualBlock(i == 0 ? in : out, out, device));
    upsamples->push_back(blocks.back());
  }
  if (up) {
    resample = Resample(out, temporal_up ? ResampleImpl::Mode::Upsample3d : ResampleImpl::Mode::Upsample2d, device);
    upsamples->push_back(resample);
  }
}

torch::Tensor UpResidualBlockImpl::forward(const torch::Tensor& x, FeatureCache& cache, bool first_chunk) {
  auto y = x;
  for (auto& block : blocks) y = block->forward(y, cache);
  if (resample) y = resample->forward(y, cache);
  return up ? y + dup_up_3d(x, out_dim, factor_t, factor_s, first_chunk) : y;
}

// ---- patchify ------------------------------------------------------------------------------------

torch::Tensor patchify(const torch::Tensor& x, int64_t p) {
  if (p == 1) return x;
  const int64_t B = x.size(0), C = x.size(1), T = x.size(2), H = x.size(3) / p, W = x.size(4) / p;
  // [B, C, T, H, q, W, r] → [B, C, r, q, T, H, W]
  return x.reshape({B, C, T, H, p, W, p}).permute({0, 1, 6, 4, 2, 3, 5}).reshape({B, C * p * p, T, H, W});
}

torch::Tensor unpatchify(const torch::Tensor& x, int64_t p) {
  if (p == 1) return x;
  const int64_t B = x.size(0), C = x.size(1) / (p * p), T = x.size(2), H = x.size(3), W = x.size(4);
  // [B, C, r, q, T, H, W] → [B, C, T, H, q, W, r]
  return x.reshape({B, C, p, p, T, H, W}).permute({0, 1, 4, 5, 3, 6, 2}).reshape({B, C, T, H * p, W * p});
}

}  // namespace xwam::model::vae
