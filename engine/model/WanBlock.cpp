#include "engine/model/WanBlock.h"

#include "engine/model/Attention.h"

namespace xwam::model {
namespace {

torch::nn::LayerNorm layer_norm(int dim, double eps, bool affine) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps).elementwise_affine(affine));
}

// [B, L, dim] → [B, H, L, D]
torch::Tensor heads_first(const torch::Tensor& x, int heads) {
  return x.view({x.size(0), x.size(1), heads, -1}).transpose(1, 2);
}

}  // namespace

RMSNormImpl::RMSNormImpl(int dim, double eps_) : eps(eps_) { weight = register_parameter("weight", torch::ones({dim})); }

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto xf = x.to(torch::kFloat32);
  return (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x.scalar_type()) * weight;
}

AttentionProjections::AttentionProjections(int dim, int heads_, double eps) : heads(heads_) {
  q = register_module("q", torch::nn::Linear(dim, dim));
  k = register_module("k", torch::nn::Linear(dim, dim));
  v = register_module("v", torch::nn::Linear(dim, dim));
  o = register_module("o", torch::nn::Linear(dim, dim));
  norm_q = register_module("norm_q", RMSNorm(dim, eps));
  norm_k = register_module("norm_k", RMSNorm(dim, eps));
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const Rope& rope, const torch::Tensor& mask,
                                         const AttentionKV* extra, AttentionKV* kept) {
  const int64_t B = x.size(0), L = x.size(1);
  auto split = [&](const torch::Tensor& t) { return t.view({B, t.size(1), heads, -1}); };
  const auto xin = x.to(q->weight.scalar_type());  // the float32 residual stream into bf16 weights
  auto qh = apply_rope(split(norm_q(q(xin))), rope);
  auto kh = apply_rope(split(norm_k(k(xin))), rope);
  auto vh = split(v(xin));
  if (kept) *kept = {kh, vh};
  if (extra) {
    kh = torch::cat({kh, extra->k}, 1);
    vh = torch::cat({vh, extra->v}, 1);
  }
  auto out = attention(qh.transpose(1, 2), kh.transpose(1, 2), vh.transpose(1, 2), mask);
  return o(out.transpose(1, 2).reshape({B, L, -1}));
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  const auto xin = x.to(q->weight.scalar_type()), cin = context.to(k->weight.scalar_type());
  auto out = attention(heads_first(norm_q(q(xin)), heads), heads_first(norm_k(k(cin)), heads),
                       heads_first(v(cin), heads), torch::Tensor());
  return o(out.transpose(1, 2).reshape({x.size(0), x.size(1), -1}));
}

WanBlockImpl::WanBlockImpl(int dim, int ffn_dim, int heads, double eps) {
  norm1 = register_module("norm1", layer_norm(dim, eps, false));
  self_attn = register_module("self_attn", SelfAttention(dim, heads, eps));
  norm3 = register_module("norm3", layer_norm(dim, eps, true));
  cross_attn = register_module("cross_attn", CrossAttention(dim, heads, eps));
  norm2 = register_module("norm2", layer_norm(dim, eps, false));
  ffn = register_module("ffn", torch::nn::Sequential(torch::nn::Linear(dim, ffn_dim),
                                                     torch::nn::GELU(torch::nn::GELUOptions().approximate("tanh")),
                                                     torch::nn::Linear(ffn_dim, dim)));
  modulation = register_parameter("modulation", torch::randn({1, 6, dim}) / std::sqrt(double(dim)));
}

torch::Tensor WanBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& e, const torch::Tensor& context,
                                    const Rope& rope, const torch::Tensor& mask, const AttentionKV* extra,
                                    AttentionKV* kept) {
  // Modulation arithmetic in float32, as Wan2.2 does.
  auto mod = (modulation.unsqueeze(0).to(torch::kFloat32) + e).unbind(2);  // 6 × [B, L, dim]
  auto modulated = [&](torch::nn::LayerNorm& norm, const torch::Tensor& t, const torch::Tensor& scale,
                       const torch::Tensor& shift) {
    return (norm(t).to(torch::kFloat32) * (1 + scale) + shift).to(t.scalar_type());
  };
  auto y = self_attn(modulated(norm1, x, mod[1], mod[0]), rope, mask, extra, kept);
  auto h = (x.to(torch::kFloat32) + y.to(torch::kFloat32) * mod[2]).to(x.scalar_type());
  h = h + cross_attn(norm3(h), context);
  y = ffn->forward(modulated(norm2, h, mod[4], mod[3]).to(ffn->ptr(0)->as<torch::nn::Linear>()->weight.scalar_type()));
  return (h.to(torch::kFloat32) + y.to(torch::kFloat32) * mod[5]).to(x.scalar_type());
}

HeadImpl::HeadImpl(int dim, int out_values, double eps) {
  norm = register_module("norm", layer_norm(dim, eps, false));
  head = register_module("head", torch::nn::Linear(dim, out_values));
  modulation = register_parameter("modulation", torch::randn({1, 2, dim}) / std::sqrt(double(dim)));
}

torch::Tensor HeadImpl::forward(const torch::Tensor& x, const torch::Tensor& e0) {
  auto mod = (modulation.unsqueeze(0).to(torch::kFloat32) + e0.unsqueeze(2)).unbind(2);  // shift, scale
  return head((norm(x).to(torch::kFloat32) * (1 + mod[1]) + mod[0]).to(head->weight.scalar_type()));
}

}  // namespace xwam::model
