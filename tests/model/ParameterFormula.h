// Parameter counts written out from the published architectures (wan/modules/model.py, vae2_2.py and
// t5.py as /work/shared/docs/wan22.md and docs/method.md describe them), independently of the engine's
// own counting (count_parameters, umt5_parameters), so tests compare modules, formulas and the
// published 5B figures three ways.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/model/ModelConfig.h"

namespace xwam::model::test {

inline int64_t linear(int64_t in, int64_t out) { return in * out + out; }  // weight + bias

// One Wan2.2 DiT block: self- and cross-attention (q, k, v, o with bias; RMSNorm weights norm_q,
// norm_k over the full dim), norm3 LayerNorm with affine (cross_attn_norm), norm1/norm2 without,
// FFN Linear(dim, ffn) → GELU → Linear(ffn, dim), modulation [1, 6, dim].
inline int64_t wan_block(const DiTConfig& d) {
  const int64_t attention = 4 * linear(d.dim, d.dim) + 2 * d.dim;
  const int64_t norm3 = 2 * d.dim;
  const int64_t ffn = linear(d.dim, d.ffn_dim) + linear(d.ffn_dim, d.dim);
  const int64_t modulation = 6 * d.dim;
  return 2 * attention + norm3 + ffn + modulation;
}

// head.norm has no affine; head.head Linear(dim → out_dim · patch volume); head.modulation [1, 2, dim].
inline int64_t wan_head(const DiTConfig& d) {
  return linear(d.dim, int64_t(d.out_dim) * d.patch[0] * d.patch[1] * d.patch[2]) + 2 * d.dim;
}

// The Wan2.2 DiT: patch_embedding Conv3d(in_dim → dim, kernel = patch), text_embedding
// Linear(text_dim, dim) + Linear(dim, dim), time_embedding Linear(freq_dim, dim) + Linear(dim, dim),
// time_projection Linear(dim, 6·dim), the blocks, the head.
inline int64_t wan_dit(const DiTConfig& d) {
  const int64_t patch_embedding = int64_t(d.in_dim) * d.patch[0] * d.patch[1] * d.patch[2] * d.dim + d.dim;
  const int64_t text_embedding = linear(d.text_dim, d.dim) + linear(d.dim, d.dim);
  const int64_t time_embedding = linear(d.freq_dim, d.dim) + linear(d.dim, d.dim);
  const int64_t time_projection = linear(d.dim, 6 * d.dim);
  return patch_embedding + text_embedding + time_embedding + time_projection + d.num_layers * wan_block(d) + wan_head(d);
}

// X-WAM on top of the DiT: M depth blocks and a depth head; view embedding Embedding(views, dim);
// action/proprio encoders Linear(d_in, dim)-GELU-Linear(dim, dim) and decoders Linear(dim, dim)-GELU-
// Linear(dim, d_out) (docs/method.md).
inline int64_t xwam_depth_branch(const XWamConfig& c) {
  return c.depth_layers > 0 ? c.depth_layers * wan_block(c.dit) + wan_head(c.dit) : 0;
}
inline int64_t xwam_heads(const XWamConfig& c) {
  const int64_t dim = c.dit.dim;
  auto mlp_pair = [&](int64_t d) { return linear(d, dim) + linear(dim, dim) + linear(dim, dim) + linear(dim, d); };
  return int64_t(c.views) * dim + mlp_pair(c.action_dim) + mlp_pair(c.state_dim);
}
inline int64_t xwam_network(const XWamConfig& c) { return wan_dit(c.dit) + xwam_depth_branch(c) + xwam_heads(c); }

// ---- Wan2.2 VAE (vae2_2.py) -----------------------------------------------------------------------
// CausalConv3d with a k_t × k_h × k_w kernel and bias.
inline int64_t conv3d(int64_t in, int64_t out, int64_t kt, int64_t kh, int64_t kw) { return in * out * kt * kh * kw + out; }
// ResidualBlock: RMS_norm gamma (in), conv 3³, RMS_norm gamma (out), conv 3³, 1³ shortcut when in ≠ out.
inline int64_t vae_residual(int64_t in, int64_t out) {
  return in + conv3d(in, out, 3, 3, 3) + out + conv3d(out, out, 3, 3, 3) + (in != out ? conv3d(in, out, 1, 1, 1) : 0);
}
// AttentionBlock: RMS_norm gamma, to_qkv Conv2d(dim, 3·dim, 1), proj Conv2d(dim, dim, 1).
inline int64_t vae_attention(int64_t dim) { return dim + (3 * dim * dim + 3 * dim) + (dim * dim + dim); }
// Resample: a 3×3 Conv2d(dim, dim) (down- or upsampling); temporal downsampling adds time_conv
// CausalConv3d(dim, dim, (3, 1, 1)), temporal upsampling CausalConv3d(dim, 2·dim, (3, 1, 1)).
inline int64_t vae_resample(int64_t dim, bool temporal, bool up) {
  return (9 * dim * dim + dim) + (temporal ? conv3d(dim, up ? 2 * dim : dim, 3, 1, 1) : 0);
}

inline int64_t wan_vae(const VaeConfig& c) {
  const int levels = static_cast<int>(c.dim_mult.size());
  auto temporal = [&](const std::vector<bool>& flags, int i) { return i < int(flags.size()) && flags[i]; };
  // Encoder3d: dims = base · [1] + mult; patchified input 3·p² channels; per level num_res_blocks
  // residual blocks, then a resample except at the last level; middle; head to 2·z_dim.
  const int64_t in_channels = 3 * c.patch * c.patch;
  std::vector<int64_t> enc{c.base_dim};
  for (int m : c.dim_mult) enc.push_back(int64_t(c.base_dim) * m);
  int64_t encoder = conv3d(in_channels, enc[0], 3, 3, 3);
  for (int i = 0; i < levels; ++i) {
    for (int r = 0; r < c.num_res_blocks; ++r) encoder += vae_residual(r == 0 ? enc[i] : enc[i + 1], enc[i + 1]);
    if (i != levels - 1) encoder += vae_resample(enc[i + 1], temporal(c.temporal_down, i), false);
  }
  const int64_t top = enc.back();
  encoder += 2 * vae_residual(top, top) + vae_attention(top) + top + conv3d(top, 2 * c.z_dim, 3, 3, 3);
  // conv1 (2·z → 2·z) and conv2 (z → z), 1×1×1.
  const int64_t between = conv3d(2 * c.z_dim, 2 * c.z_dim, 1, 1, 1) + conv3d(c.z_dim, c.z_dim, 1, 1, 1);
  // Decoder3d: dims = dec_base · [mult[-1]] + reversed mult; num_res_blocks + 1 residual blocks per
  // level, temporal upsampling mirrors the encoder's downsampling; head to 3·p² channels.
  std::vector<int64_t> dec{int64_t(c.dec_base_dim) * c.dim_mult.back()};
  for (auto m = c.dim_mult.rbegin(); m != c.dim_mult.rend(); ++m) dec.push_back(int64_t(c.dec_base_dim) * *m);
  const std::vector<bool> temporal_up(c.temporal_down.rbegin(), c.temporal_down.rend());
  int64_t decoder = conv3d(c.z_dim, dec[0], 3, 3, 3) + 2 * vae_residual(dec[0], dec[0]) + vae_attention(dec[0]);
  for (int i = 0; i < levels; ++i) {
    for (int r = 0; r < c.num_res_blocks + 1; ++r) decoder += vae_residual(r == 0 ? dec[i] : dec[i + 1], dec[i + 1]);
    if (i != levels - 1) decoder += vae_resample(dec[i + 1], temporal(temporal_up, i), true);
  }
  decoder += dec.back() + conv3d(dec.back(), in_channels, 3, 3, 3);
  return encoder + between + decoder;
}

// ---- umT5 encoder (t5.py, shared_pos = false) -----------------------------------------------------
// token_embedding vocab × dim; per block: norm1, attention q/k/v/o without bias (dim_attn = dim),
// norm2, gated FFN gate/fc1 Linear(dim, ffn) and fc2 Linear(ffn, dim) without bias, its own relative
// position embedding num_buckets × num_heads; the final norm.
inline int64_t umt5_encoder(const TextConfig& c) {
  const int64_t d = c.dim, f = c.ffn_dim;
  const int64_t block = d + 4 * d * d + d + 3 * d * f + int64_t(c.num_buckets) * c.num_heads;
  return int64_t(c.vocab) * d + c.num_layers * block + d;
}

}  // namespace xwam::model::test
