#include "engine/model/MemoryPlan.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/model/TextEncoder.h"
#include "engine/model/VideoVae.h"
#include "engine/model/XWamModel.h"

namespace xwam::model {
namespace {

int64_t bytes_of(torch::ScalarType dtype) { return static_cast<int64_t>(c10::elementSize(dtype)); }

// Parameters set_dtype keeps in float32 (see XWamModelImpl::set_dtype).
int64_t float32_parameters(const XWamConfig& c) {
  const auto& d = c.dit;
  const int64_t dim = d.dim;
  auto linear = [](int64_t in, int64_t out) { return in * out + out; };
  const int64_t head = linear(dim, int64_t(d.out_dim) * d.patch[0] * d.patch[1] * d.patch[2]) + 2 * dim;
  const int64_t blocks = d.num_layers + c.depth_layers;
  return linear(d.freq_dim, dim) + linear(dim, dim)  // time_embedding
         + linear(dim, 6 * dim)                      // time_projection
         + blocks * (6 * dim + 2 * dim)              // modulation, norm3 weight and bias
         + head * (c.depth_layers > 0 ? 2 : 1)       // head, extra_heads.0
         + count_parameters(c).xwam_heads;           // view embedding, state/action MLPs
}

}  // namespace

int64_t network_weight_bytes(const XWamConfig& c, torch::ScalarType dtype) {
  const int64_t all = count_parameters(c).total(), f32 = float32_parameters(c);
  return f32 * 4 + (all - f32) * bytes_of(dtype);
}

MemoryPlan plan_rollout_memory(const XWamConfig& c, torch::ScalarType dtype, bool guidance) {
  MemoryPlan plan;
  const int64_t s = bytes_of(dtype), f4 = 4;
  plan.network_bytes = network_weight_bytes(c, dtype);
  for (const auto& t : VideoVae(c.vae, torch::kMeta)->parameters()) plan.vae_bytes += t.numel() * f4;
  if (c.text.kind == "umt5-xxl") {
    plan.text_host_bytes = umt5_parameters(c.text) * 2;  // bf16
  } else {
    for (const auto& t : TextEncoder(c.text, c.dit.text_len)->parameters()) plan.text_device_bytes += t.numel() * f4;
  }
  const int64_t resident = plan.network_bytes + plan.vae_bytes + plan.text_device_bytes;

  // Text: one instruction through the encoder (on the host for umT5).
  const int64_t Lt = c.dit.text_len, td = c.text.dim;
  const int64_t text_act = c.text.kind == "umt5-xxl" ? 0 : Lt * (6 * td + 2 * c.text.ffn_dim) * f4 + c.text.num_heads * Lt * Lt * f4;
  plan.stages.push_back({"text", plan.text_device_bytes, text_act});

  // VAE feature maps of one chunk of one view at the widest level: tc frames of the patchified
  // image at the decoder's (wider) width, a handful alive at once, plus the causal caches (2 frames
  // per convolution, ~4 convolutions per residual block).
  const int64_t p = c.vae.patch, H = c.image_height() / p, W = c.image_width() / p;
  const int64_t width = std::max(c.vae.base_dim, c.vae.dec_base_dim) * int64_t(c.vae.dim_mult.front());
  const int64_t map = width * H * W * f4;
  const int64_t convs = 4 * (c.vae.num_res_blocks + 1) * int64_t(c.vae.dim_mult.size());
  const int64_t vae_act = 6 * c.temporal_compression * map + 2 * map * convs / int64_t(c.vae.dim_mult.size());
  plan.stages.push_back({"encode", resident, vae_act});

  // One network call: float32 residual stream and per-token modulation, q/k/v and the FFN hidden
  // layer in the weights' dtype, attention scores (unfused worst case), the depth branch's kept
  // keys/values and its own stream; doubled under guidance.
  const int64_t B = guidance ? 2 : 1, L = c.tokens(), dim = c.dit.dim, Lv = c.video_tokens();
  const int64_t per_block = L * dim * 3 * f4 + L * 6 * dim * f4 + L * dim * 3 * s + L * c.dit.ffn_dim * 2 * s +
                            int64_t(c.dit.num_heads) * L * (L + L) * f4 + Lt * dim * s;
  const int64_t depth = c.depth_layers > 0 ? L * dim * 2 * s + Lv * dim * 3 * f4 : 0;
  plan.stages.push_back({"denoise", resident, B * (per_block + depth)});

  // Decoding: the same VAE maps, one latent frame of one view at a time.
  plan.stages.push_back({"decode", resident, vae_act});
  return plan;
}

int64_t MemoryPlan::peak_bytes() const {
  int64_t peak = 0;
  for (const auto& s : stages) peak = std::max(peak, s.total());
  return peak;
}

torch::ScalarType dtype_from_string(const std::string& name) {
  if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "half") return torch::kFloat16;
  if (name == "float32" || name == "fp32" || name == "float") return torch::kFloat32;
  throw Error("--dtype", "'" + name + "' is not a dtype (bfloat16, float16 or float32)");
}

std::string dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kBFloat16: return "bfloat16";
    case torch::kFloat16: return "float16";
    case torch::kFloat32: return "float32";
    default: return c10::toString(dtype);
  }
}

}  // namespace xwam::model
