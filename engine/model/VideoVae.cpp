// The Wan2.2 causal video VAE: encoder/decoder stacks, chunked encode (first frame alone, then chunks
// of tc frames) and decode (one latent frame at a time) through the feature cache, latent
// normalization; depth ↔ pseudo-RGB.
#include "engine/model/VideoVae.h"

#include <cmath>
#include <sstream>

#include "engine/core/Error.h"

namespace xwam::model {

namespace {

using vae::CausalConv3d;
using vae::FeatureCache;

CausalConv3d conv3(int64_t in, int64_t out, torch::Device device) {
  return CausalConv3d(in, out, std::array<int64_t, 3>{3, 3, 3}, std::array<int64_t, 3>{1, 1, 1},
                      std::array<int64_t, 3>{1, 1, 1}, device);
}
CausalConv3d conv1x1(int64_t in, int64_t out, torch::Device device) {
  return CausalConv3d(in, out, std::array<int64_t, 3>{1, 1, 1}, std::array<int64_t, 3>{1, 1, 1},
                      std::array<int64_t, 3>{0, 0, 0}, device);
}

std::string shape_string(const torch::Tensor& x) {
  std::ostringstream s;
  s << x.sizes();
  return s.str();
}

void check_config(const VaeConfig& c) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw Error("VaeConfig: " + what);
  };
  require(c.z_dim > 0 && c.base_dim > 0 && c.dec_base_dim > 0, "z_dim, base_dim and dec_base_dim must be positive");
  require(!c.dim_mult.empty(), "dim_mult must not be empty");
  for (int m : c.dim_mult) require(m > 0, "dim_mult entries must be positive");
  require(c.num_res_blocks > 0, "num_res_blocks must be positive");
  require(c.patch > 0, "patch must be positive");
  require(c.temporal_down.size() + 1 <= c.dim_mult.size(), "temporal_down has more entries than downsampling levels");
  require(c.latent_mean.size() == c.latent_std.size() &&
              (c.latent_mean.empty() || static_cast<int>(c.latent_mean.size()) == c.z_dim),
          "latent_mean/latent_std must both be empty or hold z_dim values");
  for (float s : c.latent_std) require(s > 0.f, "latent_std entries must be positive");
}

}  // namespace

// ---- Encoder3d / Decoder3d -----------------------------------------------------------------------

namespace vae {

Encoder3dImpl::Encoder3dImpl(const VaeConfig& c, torch::Device device) {
  std::vector<int64_t> dims{c.base_dim};
  for (int m : c.dim_mult) dims.push_back(int64_t(c.base_dim) * m);
  const int levels = static_cast<int>(c.dim_mult.size());

  conv1 = register_module("conv1", conv3(3 * c.patch * c.patch, dims[0], device));
  downsamples = register_module("downsamples", torch::nn::ModuleList());
  for (int i = 0; i < levels; ++i) {
    const bool t_down = i < static_cast<int>(c.temporal_down.size()) && c.temporal_down[i];
    stages.push_back(DownResidualBlock(dims[i], dims[i + 1], c.num_res_blocks, t_down, i != levels - 1, device));
    downsamples->push_back(stages.back());
  }
  const int64_t out = dims.back();
  middle_res1 = ResidualBlock(out, out, device);
  middle_attn = AttentionBlock(out, device);
  middle_res2 = ResidualBlock(out, out, device);
  middle = register_module("middle", torch::nn::ModuleList(middle_res1, middle_attn, middle_res2));
  head_norm = RmsNorm(out, /*images=*/false, device);
  head_conv = conv3(out, 2 * c.z_dim, device);
  head = register_module("head", torch::nn::ModuleList(head_norm, torch::nn::SiLU(), head_conv));
}

torch::Tensor Encoder3dImpl::forward(const torch::Tensor& x_in, FeatureCache& cache) {
  auto x = cached_conv(*conv1, x_in, cache);
  for (auto& stage : stages) x = stage->forward(x, cache);
  x = middle_res1->forward(x, cache);
  x = middle_attn->forward(x);
  x = middle_res2->forward(x, cache);
  return cached_conv(*head_conv, torch::silu(head_norm->forward(x)), cache);
}

Decoder3dImpl::Decoder3dImpl(const VaeConfig& c, torch::Device device) {
  std::vector<int64_t> dims{int64_t(c.dec_base_dim) * c.dim_mult.back()};
  for (auto m = c.dim_mult.rbegin(); m != c.dim_mult.rend(); ++m) dims.push_back(int64_t(c.dec_base_dim) * *m);
  const int levels = static_cast<int>(c.dim_mult.size());
  const std::vector<bool> temporal_up(c.temporal_down.rbegin(), c.temporal_down.rend());

  conv1 = register_module("conv1", conv3(c.z_dim, dims[0], device));
  middle_res1 = ResidualBlock(dims[0], dims[0], device);
  middle_attn = AttentionBlock(dims[0], device);
  middle_res2 = ResidualBlock(dims[0], dims[0], device);
  middle = register_module("middle", torch::nn::ModuleList(middle_res1, middle_attn, middle_res2));
  upsamples = register_module("upsamples", torch::nn::ModuleList());
  for (int i = 0; i < levels; ++i) {
    const bool t_up = i < static_cast<int>(temporal_up.size()) && temporal_up[i];
    stages.push_back(UpResidualBlock(dims[i], dims[i + 1], c.num_res_blocks + 1, t_up, i != levels - 1, device));
    upsamples->push_back(stages.back());
  }
  head_norm = RmsNorm(dims.back(), /*images=*/false, device);
  head_conv = conv3(dims.back(), 3 * c.patch * c.patch, device);
  head = register_module("head", torch::nn::ModuleList(head_norm, torch::nn::SiLU(), head_conv));
}

torch::Tensor Decoder3dImpl::forward(const torch::Tensor& x_in, FeatureCache& cache, bool first_chunk) {
  auto x = cached_conv(*conv1, x_in, cache);
  x = middle_res1->forward(x, cache);
  x = middle_attn->forward(x);
  x = middle_res2->forward(x, cache);
  for (auto& stage : stages) x = stage->forward(x, cache, first_chunk);
  return cached_conv(*head_conv, torch::silu(head_norm->forward(x)), cache);
}

}  // namespace vae

// ---- VideoVae ------------------------------------------------------------------------------------

VideoVaeImpl::VideoVaeImpl(const VaeConfig& config_, torch::Device device) : config(config_) {
  check_config(config);
  encoder = register_module("encoder", vae::Encoder3d(config, device));
  conv1 = register_module("conv1", conv1x1(2 * config.z_dim, 2 * config.z_dim, device));
  conv2 = register_module("conv2", conv1x1(config.z_dim, config.z_dim, device));
  decoder = register_module("decoder", vae::Decoder3d(config, device));
  set_latent_stats(config.latent_mean, config.latent_std);
}

void VideoVaeImpl::set_latent_stats(std::vector<float> mean, std::vector<float> std) {
  VaeConfig next = config;
  next.latent_mean = std::move(mean);
  next.latent_std = std::move(std);
  check_config(next);
  config = std::move(next);
  latent_mean_ = latent_std_ = torch::Tensor();
  if (!config.latent_mean.empty()) {
    latent_mean_ = torch::tensor(config.latent_mean).view({1, config.z_dim, 1, 1, 1});
    latent_std_ = torch::tensor(config.latent_std).view({1, config.z_dim, 1, 1, 1});
  }
}

VaeEncoding VideoVaeImpl::encode_distribution(const torch::Tensor& x) {
  const int64_t tc = config.temporal_compression(), s = config.spatial_compression();
  if (x.dim() != 5 || x.size(1) != 3 || x.size(2) < 1 || (x.size(2) - 1) % tc != 0 || x.size(3) % s != 0 ||
      x.size(4) % s != 0 || x.size(3) == 0 || x.size(4) == 0)
    throw Error("VideoVae::encode: video of shape " + shape_string(x) + "; expected [B, 3, 1 + " +
                std::to_string(tc) + "·k, H, W] with H and W positive multiples of " + std::to_string(s));

  // The first frame alone, then chunks of tc frames, each continuing the causal state of the last.
  auto patches = vae::patchify(x, config.patch);
  FeatureCache cache;
  std::vector<torch::Tensor> latents;
  for (int64_t i = 0; i < 1 + (patches.size(2) - 1) / tc; ++i) {
    cache.start_chunk();
    const int64_t start = i == 0 ? 0 : 1 + tc * (i - 1), length = i == 0 ? 1 : tc;
    latents.push_back(encoder->forward(patches.slice(2, start, start + length), cache));
  }
  auto stats = conv1->forward(torch::cat(latents, 2)).chunk(2, 1);
  VaeEncoding out{stats[0], stats[1]};
  if (latent_mean_.defined()) {
    auto mean = latent_mean_.to(x.device(), out.mean.scalar_type());
    auto std = latent_std_.to(x.device(), out.mean.scalar_type());
    out.mean = (out.mean - mean) / std;
    out.log_var = out.log_var - 2.0 * std.log();
  }
  return out;
}

torch::Tensor VideoVaeImpl::decode(const torch::Tensor& z) {
  VaeDecoding stream(*this, z);
  std::vector<torch::Tensor> frames;
  while (!stream.done()) frames.push_back(stream.next());
  return torch::cat(frames, 2);
}

VaeDecoding::VaeDecoding(VideoVaeImpl& vae, const torch::Tensor& z_in) : vae_(vae) {
  const VaeConfig& config = vae.config;
  if (z_in.dim() != 5 || z_in.size(1) != config.z_dim || z_in.size(2) < 1)
    throw Error("VideoVae::decode: latents of shape " + shape_string(z_in) + "; expected [B, " +
                std::to_string(config.z_dim) + ", 1 + k, h, w]");
  auto z = z_in;
  if (vae.latent_mean_.defined())
    z = z * vae.latent_std_.to(z.device(), z.scalar_type()) + vae.latent_mean_.to(z.device(), z.scalar_type());
  x_ = vae.conv2->forward(z);
}

// One latent frame; the first one makes one video frame, each later one tc frames. Unpatchify and the
// clamp work frame by frame, so the pieces concatenate to the whole sequence's values.
torch::Tensor VaeDecoding::next() {
  if (done()) throw Error("VaeDecoding::next: all " + std::to_string(latent_frames()) + " latent frames are decoded");
  cache_.start_chunk();
  const int64_t i = next_++;
  auto frames = vae_.decoder->forward(x_.slice(2, i, i + 1), cache_, /*first_chunk=*/i == 0);
  return vae::unpatchify(frames, vae_.config.patch).clamp(-1.0, 1.0);
}

// ---- depth ↔ pseudo-RGB --------------------------------------------------------------------------

namespace {

void check_range(const char* where, double near_m, double far_m) {
  if (!(near_m > 0.0) || !(far_m > near_m))
    throw Error(std::string(where) + ": depth range [" + std::to_string(near_m) + ", " + std::to_string(far_m) +
                "] m must satisfy 0 < near < far");
}

}  // namespace

torch::Tensor depth_to_pseudo_rgb(const torch::Tensor& depth_m, int64_t channel_dim, double near_m, double far_m) {
  check_range("depth_to_pseudo_rgb", near_m, far_m);
  const double inv_far = 1.0 / far_m, inv_near = 1.0 / near_m;
  auto depth = depth_m.to(torch::kFloat);
  auto valid = depth > 0;
  // Inverse depth, linear in [1/far, 1/near] → [−1, 1]; invalid pixels sit at far (−1).
  auto inv = torch::where(valid, 1.0 / depth.clamp_min(1e-12), torch::full_like(depth, inv_far));
  auto value = ((inv - inv_far) / (inv_near - inv_far) * 2.0 - 1.0).clamp(-1.0, 1.0);
  auto tiled = value.unsqueeze(channel_dim);
  std::vector<int64_t> repeats(tiled.dim(), 1);
  repeats[channel_dim < 0 ? channel_dim + tiled.dim() : channel_dim] = 3;
  return tiled.repeat(repeats);
}

torch::Tensor pseudo_rgb_to_depth(const torch::Tensor& rgb, int64_t channel_dim, double near_m, double far_m) {
  check_range("pseudo_rgb_to_depth", near_m, far_m);
  if (rgb.dim() == 0 || rgb.size(channel_dim) != 3)
    throw Error("pseudo_rgb_to_depth: tensor of shape " + shape_string(rgb) + " has no 3-channel axis at dim " +
                std::to_string(channel_dim));
  const double inv_far = 1.0 / far_m, inv_near = 1.0 / near_m;
  auto value = rgb.to(torch::kFloat).mean(channel_dim).clamp(-1.0, 1.0);
  auto inv = (value + 1.0) * 0.5 * (inv_near - inv_far) + inv_far;
  return (1.0 / inv).clamp(near_m, far_m);
}

}  // namespace xwam::model
