// One Wan2.2 DiT block (names as in Wan2.2's weights): adaLN-modulated self-attention with q/k
// RMSNorm and 3D RoPE, cross-attention to the text, FFN. Modulation is per token, so one pass carries
// several timesteps (clean condition, noisy video, actions at their own noise level).
#pragma once
#include <torch/torch.h>

#include "engine/model/Rope.h"

namespace xwam::model {

// RMSNorm over the last dim with a learnt scale `weight`.
struct RMSNormImpl : torch::nn::Module {
  RMSNormImpl(int dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

// Keys (after RMSNorm and RoPE) and values of one self-attention, [B, L, heads, head_dim]: what a
// main block hands its depth-branch twin (X-WAM's one-way read of the main branch).
struct AttentionKV {
  torch::Tensor k, v;
};

// q, k, v, o projections with q/k RMSNorm over the full dim, shared by both attentions.
struct AttentionProjections : torch::nn::Module {
  AttentionProjections(int dim, int heads, double eps);
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  RMSNorm norm_q{nullptr}, norm_k{nullptr};
  int heads;
};

struct SelfAttentionImpl : AttentionProjections {
  SelfAttentionImpl(int dim, int heads, double eps) : AttentionProjections(dim, heads, eps) {}
  // x [B, L, dim] → [B, L, dim]; `mask` [L, L] bool (no mask with `extra`). `extra`: keys/values
  // appended after this attention's own (the depth branch reading the main branch), used as they are.
  // `kept`: receives this attention's own keys/values.
  torch::Tensor forward(const torch::Tensor& x, const Rope& rope, const torch::Tensor& mask,
                        const AttentionKV* extra = nullptr, AttentionKV* kept = nullptr);
};
TORCH_MODULE(SelfAttention);

struct CrossAttentionImpl : AttentionProjections {
  CrossAttentionImpl(int dim, int heads, double eps) : AttentionProjections(dim, heads, eps) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);
};
TORCH_MODULE(CrossAttention);

struct WanBlockImpl : torch::nn::Module {
  WanBlockImpl(int dim, int ffn_dim, int heads, double eps);
  // x [B, L, dim]; e [B, L, 6, dim] per-token modulation from the timestep (float32); context
  // [B, Lc, dim]. `extra` / `kept`: see SelfAttentionImpl::forward — a main block keeps its keys and
  // values, its depth-branch twin attends over its own followed by those.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& e, const torch::Tensor& context, const Rope& rope,
                        const torch::Tensor& mask, const AttentionKV* extra = nullptr, AttentionKV* kept = nullptr);
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  SelfAttention self_attn{nullptr};
  CrossAttention cross_attn{nullptr};
  torch::nn::Sequential ffn{nullptr};
  torch::Tensor modulation;  // [1, 6, dim]
};
TORCH_MODULE(WanBlock);

// The output head: modulated LayerNorm and a linear map to patch values.
struct HeadImpl : torch::nn::Module {
  HeadImpl(int dim, int out_values, double eps);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& e0);  // e0 [B, L, dim]
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};
  torch::Tensor modulation;  // [1, 2, dim]
};
TORCH_MODULE(Head);

}  // namespace xwam::model
