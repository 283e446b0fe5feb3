#include "engine/model/XWamModel.h"

#include <cmath>

#include "engine/core/Error.h"
#include "engine/model/BlockCheckpoint.h"

namespace xwam::model {
namespace {

torch::nn::Sequential mlp(int in, int hidden, int out) {
  return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::GELU(torch::nn::GELUOptions().approximate("tanh")),
                               torch::nn::Linear(hidden, out));
}

std::string shape_text(at::IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

void expect_shape(const torch::Tensor& t, const std::vector<int64_t>& want, const char* name) {
  if (!t.defined()) throw Error("model input", std::string(name) + " is missing");
  if (t.sizes() != at::IntArrayRef(want))
    throw Error("model input", std::string(name) + " has shape " + shape_text(t.sizes()) + ", expected " + shape_text(want));
}

}  // namespace

torch::Tensor timestep_embedding(const torch::Tensor& t, int dim) {
  const int half = dim / 2;
  auto freqs = torch::pow(10000.0, -torch::arange(half, torch::kFloat64) / half).to(t.device());
  auto args = t.to(torch::kFloat64).unsqueeze(-1) * freqs;
  return torch::cat({torch::cos(args), torch::sin(args)}, -1).to(torch::kFloat32);
}

namespace {

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A block's weights in `dtype`, but its adaLN modulation and cross-attention norm in float32.
void place_block(torch::nn::Module& block, torch::Device device, torch::ScalarType dtype) {
  block.to(device, dtype);
  torch::NoGradGuard no_grad;
  for (auto& p : block.named_parameters())
    if (ends_with(p.key(), "modulation") || ends_with(p.key(), "norm3.weight") || ends_with(p.key(), "norm3.bias"))
      p.value().set_data(p.value().to(torch::kFloat32));
}

}  // namespace

XWamModelImpl::XWamModelImpl(const XWamConfig& c, torch::Device device, torch::ScalarType dtype) : config(c) {
  config.validate();
  const auto& d = c.dit;
  patch_embedding = register_module(
      "patch_embedding", torch::nn::Conv3d(torch::nn::Conv3dOptions(d.in_dim, d.dim, {d.patch[0], d.patch[1], d.patch[2]})
                                               .stride({d.patch[0], d.patch[1], d.patch[2]})));
  text_embedding = register_module("text_embedding", mlp(d.text_dim, d.dim, d.dim));
  time_embedding = register_module("time_embedding", torch::nn::Sequential(torch::nn::Linear(d.freq_dim, d.dim), torch::nn::SiLU(),
                                                                           torch::nn::Linear(d.dim, d.dim)));
  time_projection = register_module("time_projection", torch::nn::Sequential(torch::nn::SiLU(), torch::nn::Linear(d.dim, 6 * d.dim)));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < d.num_layers; ++i) {
    WanBlock block(d.dim, d.ffn_dim, d.num_heads, d.eps);
    place_block(*block, device, dtype);
    blocks->push_back(block);
  }
  const int patch_values = d.out_dim * d.patch[0] * d.patch[1] * d.patch[2];
  head = register_module("head", Head(d.dim, patch_values, d.eps));
  view_embedding = register_module("view_embedding", torch::nn::Embedding(c.views, d.dim));
  action_encoder = register_module("action_encoder", mlp(c.action_dim, d.dim, d.dim));
  action_decoder = register_module("action_decoder", mlp(d.dim, d.dim, c.action_dim));
  proprio_encoder = register_module("proprio_encoder", mlp(c.state_dim, d.dim, d.dim));
  proprio_decoder = register_module("proprio_decoder", mlp(d.dim, d.dim, c.state_dim));
  extra_blocks = register_module("extra_blocks", torch::nn::ModuleList());
  extra_heads = register_module("extra_heads", torch::nn::ModuleList());
  if (c.depth_layers > 0) {
    torch::nn::ModuleList branch;
    for (int j = 0; j < c.depth_layers; ++j) {
      WanBlock block(d.dim, d.ffn_dim, d.num_heads, d.eps);
      place_block(*block, device, dtype);
      branch->push_back(block);
    }
    extra_blocks->push_back(branch);
    extra_heads->push_back(Head(d.dim, patch_values, d.eps));
  }
  place_rest(device, dtype);
}

void XWamModelImpl::place_rest(torch::Device device, torch::ScalarType dtype) {
  // What the released code computes in float32 (under autocast) keeps float32 weights: timestep
  // embedding and projection, the output heads, the view embedding and the state/action MLPs.
  for (auto* part : std::initializer_list<torch::nn::Module*>{patch_embedding.ptr().get(), text_embedding.ptr().get()})
    part->to(device, dtype);
  for (auto* part : std::initializer_list<torch::nn::Module*>{
           time_embedding.ptr().get(), time_projection.ptr().get(), head.ptr().get(), extra_heads.ptr().get(),
           view_embedding.ptr().get(), action_encoder.ptr().get(), action_decoder.ptr().get(),
           proprio_encoder.ptr().get(), proprio_decoder.ptr().get()})
    part->to(device, torch::kFloat32);
}

void XWamModelImpl::set_dtype(torch::ScalarType dtype) {
  const auto device = patch_embedding->weight.device();
  for (auto& block : *blocks) place_block(*block, device, dtype);
  for (auto& branch : *extra_blocks)
    for (auto& block : *branch->as<torch::nn::ModuleList>()) place_block(*block, device, dtype);
  place_rest(device, dtype);
}

torch::Tensor XWamModelImpl::token_positions(int frames) const {
  const auto& c = config;
  const int F = frames / c.dit.patch[0], Hh = c.latent_height / c.dit.patch[1], Ww = c.latent_width / c.dit.patch[2];
  std::vector<double> pos;
  for (int f = 0; f < F; ++f)
    for (int v = 0; v < c.views; ++v)
      for (int h = 0; h < Hh; ++h)
        for (int w = 0; w < Ww; ++w) pos.insert(pos.end(), {double(f), double(h), double(w)});
  const double tc = c.temporal_compression;
  for (int k = 0; k < c.num_actions; ++k) pos.insert(pos.end(), {k / (c.actions_per_frame * tc), 0.0, 0.0});
  for (int j = 0; j < c.num_states; ++j) pos.insert(pos.end(), {j / tc, 0.0, 0.0});
  return torch::tensor(pos, torch::kFloat64).view({-1, 3});
}

torch::Tensor XWamModelImpl::fastwam_mask(int frames) const {
  const int Lc = config.condition_tokens(), K = config.num_actions;
  const int Lv = Lc * frames / config.dit.patch[0], L = Lv + K + config.num_states;
  auto mask = torch::ones({L, L}, torch::kBool);
  // The clean context: condition-frame video tokens (first in (t, view, h, w) order) and s_0.
  auto context = torch::zeros({L}, torch::kBool);
  context.slice(0, 0, Lc).fill_(true);
  context[Lv + K] = true;
  auto actions = torch::zeros({L}, torch::kBool);
  actions.slice(0, Lv, Lv + K).fill_(true);
  // Context sees only context (else it would carry future video to the actions a layer later);
  // actions see context and actions; future video and states see everything.
  mask.index_put_({context}, context.unsqueeze(0).expand({context.sum().item<int64_t>(), L}));
  mask.index_put_({actions}, (context | actions).unsqueeze(0).expand({K, L}));
  return mask;
}

ModelOutputs XWamModelImpl::forward(const ModelInputs& in) {
  const auto& c = config;
  const auto& d = c.dit;
  const int64_t B = in.video.defined() ? in.video.size(0) : 0;
  const int frames = in.video.defined() && in.video.dim() == 6 && in.video.size(3) == 1 ? 1 : c.latent_frames;
  expect_shape(in.video, {B, c.views, d.in_dim, frames, c.latent_height, c.latent_width}, "video");
  expect_shape(in.states, {B, c.num_states, c.state_dim}, "states");
  expect_shape(in.actions, {B, c.num_actions, c.action_dim}, "actions");
  for (auto [t, name] : {std::pair{&in.t_video, "t_video"}, {&in.t_state, "t_state"}, {&in.t_action, "t_action"}})
    expect_shape(*t, {B}, name);
  if (!in.text.defined() || in.text.dim() != 3 || in.text.size(0) != B || in.text.size(2) != d.text_dim)
    throw Error("model input", "text must be [B, Lc, " + std::to_string(d.text_dim) + "]");

  // Weights are in `compute` (float32, or bf16/fp16 after set_dtype) except the float32 parts; the
  // residual stream stays float32 and each matrix product casts its input, as the released code runs.
  const auto compute = patch_embedding->weight.scalar_type();
  const auto f32 = torch::kFloat32;

  // Video tokens in (t, view, h, w) order, each view marked by its embedding.
  const int F = frames / d.patch[0], Hh = c.latent_height / d.patch[1], Ww = c.latent_width / d.patch[2];
  std::vector<torch::Tensor> per_view;
  for (int v = 0; v < c.views; ++v) {
    auto x = patch_embedding(in.video.select(1, v).to(compute));  // [B, dim, F, Hh, Ww]
    per_view.push_back(x.permute({0, 2, 3, 4, 1}) + view_embedding->weight[v]);
  }
  auto video_tokens = torch::stack(per_view, 2).reshape({B, -1, d.dim});  // [B, F·V·Hh·Ww, dim]
  auto x = torch::cat({video_tokens.to(f32), action_encoder->forward(in.actions.to(f32)),
                       proprio_encoder->forward(in.states.to(f32))}, 1);
  const int64_t Lv = video_tokens.size(1), L = x.size(1), K = c.num_actions;
  const int64_t Lc = c.condition_tokens();

  // Per-token timesteps: clean condition (0), future video, actions, s_0 clean, future states.
  auto t = torch::empty({B, L}, torch::kFloat32).to(x.device());
  t.slice(1, 0, Lc).fill_(0);
  t.slice(1, Lc, Lv).copy_(in.t_video.to(torch::kFloat32).unsqueeze(1).expand({B, Lv - Lc}));
  t.slice(1, Lv, Lv + K).copy_(in.t_action.to(torch::kFloat32).unsqueeze(1).expand({B, K}));
  t.slice(1, Lv + K, Lv + K + 1).fill_(0);
  t.slice(1, Lv + K + 1, L).copy_(in.t_state.to(torch::kFloat32).unsqueeze(1).expand({B, L - Lv - K - 1}));
  auto e0 = time_embedding->forward(timestep_embedding(t, d.freq_dim));
  auto e = time_projection->forward(e0).view({B, L, 6, d.dim});
  auto context = text_embedding->forward(in.text.to(compute));

  // Rotary tables and the Fast-WAM mask depend on the layout alone: made once per layout and device,
  // so a denoising loop on a GPU copies nothing from the host between calls.
  auto& layout = layouts_[{frames, x.device().str()}];
  if (!layout.rope.cos.defined()) {
    layout.rope = make_rope(token_positions(frames).to(x.device()), d.head_dim());
    layout.fastwam_mask = fastwam_mask(frames).to(x.device());
  }
  const Rope& rope = layout.rope;
  const torch::Tensor mask = in.fastwam_mask ? layout.fastwam_mask : torch::Tensor();

  // Main blocks; with the depth branch, depth block j runs right after main block trunk + j and
  // attends over its own keys/values followed by the ones that main block just computed (one way:
  // nothing flows back). Depth tokens start from the shared trunk's video tokens.
  const bool depth = in.run_depth && c.depth_layers > 0;
  const int trunk = d.num_layers - c.depth_layers;
  const Rope rope_video{rope.cos.slice(0, 0, Lv), rope.sin.slice(0, 0, Lv)};
  const auto e_video = e.slice(1, 0, Lv);
  torch::Tensor depth_x;
  // With gradient checkpointing (training), each block keeps only its inputs and runs again in the
  // backward pass; a main block and its depth twin form one piece, so the keys/values passed between
  // them are not kept either. Rotary tables and mask need no gradient: captured as they are.
  const bool recompute = gradient_checkpointing && is_training();
  for (int i = 0; i < d.num_layers; ++i) {
    auto* block = blocks[i]->as<WanBlock>();
    if (!depth || i < trunk) {
      if (!recompute) {
        x = block->forward(x, e, context, rope, mask);
        continue;
      }
      x = checkpointed([block, rope, mask](const std::vector<torch::Tensor>& t) {
            return std::vector<torch::Tensor>{block->forward(t[0], t[1], t[2], rope, mask)};
          }, {x, e, context})[0];
      continue;
    }
    if (i == trunk) depth_x = x.slice(1, 0, Lv);
    auto* twin = extra_blocks[0]->as<torch::nn::ModuleList>()->ptr(i - trunk)->as<WanBlock>();
    auto pair = [block, twin, rope, mask, rope_video](const std::vector<torch::Tensor>& t) {
      AttentionKV main_kv;
      auto main_out = block->forward(t[0], t[1], t[2], rope, mask, nullptr, &main_kv);
      return std::vector<torch::Tensor>{main_out, twin->forward(t[3], t[4], t[2], rope_video, torch::Tensor(), &main_kv)};
    };
    const std::vector<torch::Tensor> inputs{x, e, context, depth_x, e_video};
    const auto outs = recompute ? checkpointed(pair, inputs) : pair(inputs);
    x = outs[0];
    depth_x = outs[1];
  }

  ModelOutputs out;
  auto unpatchify = [&](const torch::Tensor& values) {  // [B, Lv, C·pt·ph·pw] → [B, V, C, F·pt, Hh·ph, Ww·pw]
    return values.view({B, F, c.views, Hh, Ww, d.patch[0], d.patch[1], d.patch[2], d.out_dim})
        .permute({0, 2, 8, 1, 5, 3, 6, 4, 7})
        .reshape({B, c.views, d.out_dim, frames, c.latent_height, c.latent_width});
  };
  auto head_out = head->forward(x, e0);
  out.video = unpatchify(head_out.slice(1, 0, Lv).to(f32));
  out.actions = action_decoder->forward(x.slice(1, Lv, Lv + K).to(f32));
  out.states = proprio_decoder->forward(x.slice(1, Lv + K, L).to(f32));

  if (depth) out.depth = unpatchify(extra_heads[0]->as<Head>()->forward(depth_x, e0.slice(1, 0, Lv)).to(f32));
  return out;
}

ParameterCounts count_parameters(const XWamConfig& c) {
  const auto& d = c.dit;
  const int64_t dim = d.dim, ffn = d.ffn_dim;
  const int64_t patch_volume = int64_t(d.patch[0]) * d.patch[1] * d.patch[2];
  auto linear = [](int64_t in, int64_t out) { return in * out + out; };
  const int64_t attention = 4 * linear(dim, dim) + 2 * dim;  // q, k, v, o + norm_q, norm_k
  const int64_t block = 2 * attention + 2 * dim /* norm3 affine */ + linear(dim, ffn) + linear(ffn, dim) + 6 * dim;
  const int64_t head = linear(dim, d.out_dim * patch_volume) + 2 * dim;
  ParameterCounts p;
  p.dit = d.in_dim * patch_volume * dim + dim                      // patch_embedding
          + linear(d.text_dim, dim) + linear(dim, dim)             // text_embedding
          + linear(d.freq_dim, dim) + linear(dim, dim)             // time_embedding
          + linear(dim, 6 * dim)                                   // time_projection
          + d.num_layers * block + head;
  p.depth_branch = c.depth_layers > 0 ? c.depth_layers * block + head : 0;
  p.xwam_heads = c.views * dim + linear(c.action_dim, dim) + linear(dim, dim) + linear(dim, dim) + linear(dim, c.action_dim) +
                 linear(c.state_dim, dim) + linear(dim, dim) + linear(dim, dim) + linear(dim, c.state_dim);
  return p;
}

}  // namespace xwam::model
