#include "engine/pipeline/TrainTasks.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/data/XWamDataset.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/sampling/Denoiser.h"

namespace xwam::pipeline {
using nlohmann::json;

std::string CheckpointMeta::to_json() const {
  json j = {{"norm_stats", json::parse(norm_stats_to_json(stats))}, {"cameras", cameras}};
  return j.dump();
}

CheckpointMeta CheckpointMeta::from_json(const std::string& extra_json, const std::string& origin) {
  CheckpointMeta m;
  const json j = json_fields::parse(extra_json.empty() ? "{}" : extra_json, origin);
  if (!j.is_object()) throw Error(origin, "expected a JSON object of checkpoint metadata");
  // A released run keeps its statistics in its config.yaml (dataset.statistics), which the reader names.
  const json source = j.value("source", json::object());
  if (j.contains("norm_stats")) m.stats = norm_stats_from_json(j.at("norm_stats").dump(), origin);
  else if (source.contains("config_yaml") && source.at("config_yaml").is_string())
    m.stats = data::read_xwam_statistics(source.at("config_yaml").get<std::string>());
  else throw Error(origin, "key norm_stats", "missing: the checkpoint does not say how states/actions were normalized");
  // Camera names become folder names of the rollouts this checkpoint writes.
  if (j.contains("cameras")) {
    if (!j.at("cameras").is_array()) throw Error(origin, "key cameras", "expected a list of camera names");
    for (const auto& c : j.at("cameras")) {
      if (!c.is_string()) throw Error(origin, "key cameras", "expected a list of camera names");
      check_file_name(c.get<std::string>(), origin, "cameras");
      m.cameras.push_back(c.get<std::string>());
    }
  }
  return m;
}

std::vector<std::string> init_from_checkpoint(model::XWamNetworks& nets, const model::CheckpointData& ckpt) {
  std::vector<std::string> loaded;
  auto part = [&](torch::nn::Module& m, const std::string& prefix) {
    const io::TensorMap tensors = model::with_prefix_removed(ckpt.tensors, prefix);
    if (tensors.empty()) return;
    io::load_into(m, tensors, ckpt.origin + " (" + prefix + ".*)");
    loaded.push_back(prefix);
  };
  part(*nets.model, "model");
  part(*nets.vae, "vae");
  part(*nets.text, "text_encoder");
  return loaded;
}

torch::Tensor encode_views(model::VideoVae& vae, const torch::Tensor& rgb) {
  torch::NoGradGuard no_grad;
  const int64_t B = rgb.size(0), V = rgb.size(1);
  auto z = vae->encode(rgb.flatten(0, 1));  // views batch together: [B·V, C, F', h, w]
  return z.view({B, V, z.size(1), z.size(2), z.size(3), z.size(4)});
}

namespace {

std::vector<torch::Tensor> params_of(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (auto& p : m.parameters()) out.push_back(p);
  return out;
}

// Mean of (a − b)² weighted by `w` (broadcast), normalized by the weight mass.
torch::Tensor weighted_mse(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& w) {
  auto ww = w.expand_as(a);
  return ((a - b).pow(2) * ww).sum() / ww.sum().clamp_min(1e-8);
}

}  // namespace

NetworksTask::NetworksTask(model::XWamNetworks networks, TaskSettings settings, CheckpointMeta meta, torch::Device device)
    : nets_(std::move(networks)), settings_(std::move(settings)), meta_(std::move(meta)), device_(device) {
  nets_.model->to(device_);
  nets_.vae->to(device_);
  nets_.text->to(device_);
}

void NetworksTask::save_weights(const std::string& dir) {
  model::write_checkpoint(dir, settings_.model, nets_.state(), meta_.to_json());
}

void NetworksTask::load_weights(const std::string& dir) {
  const model::CheckpointData ckpt = model::read_checkpoint(dir);
  io::load_into(*nets_.model, model::with_prefix_removed(ckpt.tensors, "model"), ckpt.origin);
  io::load_into(*nets_.vae, model::with_prefix_removed(ckpt.tensors, "vae"), ckpt.origin);
  io::load_into(*nets_.text, model::with_prefix_removed(ckpt.tensors, "text_encoder"), ckpt.origin);
}

// ---- X-WAM ----------------------------------------------------------------------------------------

XWamTrainTask::XWamTrainTask(model::XWamNetworks networks, TaskSettings settings, CheckpointMeta meta,
                             torch::Device device)
    : NetworksTask(std::move(networks), std::move(settings), std::move(meta), device) {
  nets_.model->gradient_checkpointing = settings_.gradient_checkpointing;
  nets_.vae->eval();  // frozen, as in X-WAM (Wan2.2's VAE is never fine-tuned)
  for (auto& p : nets_.vae->parameters()) p.set_requires_grad(false);
}

std::vector<torch::Tensor> XWamTrainTask::parameters() {
  auto out = params_of(*nets_.model);
  // The built-in text encoder learns with the model; umT5 stays frozen.
  if (settings_.model.text.kind == "builtin")
    for (auto& p : params_of(*nets_.text)) out.push_back(p);
  return out;
}

void XWamTrainTask::train_mode(bool on) {
  nets_.model->train(on);
  nets_.text->train(on && settings_.model.text.kind == "builtin");
}

train::LossTerms XWamTrainTask::loss(const std::vector<data::Clip>& clips, uint64_t step_seed) {
  const auto& c = settings_.model;
  ClipBatch b = to_batch(clips, c);
  const int64_t B = b.rgb.size(0);

  // Clean latents of RGB and depth.
  const bool depth = (b.depth.defined() || b.depth_code.defined()) && c.depth_layers > 0 && settings_.loss_weights.depth > 0;
  auto [z, z_depth] = clip_latents(clips, b, depth);

  // Per-sample timesteps (σ in [0, 1]) and the instruction, text dropped out for guidance.
  train::TimestepSampler sampler(settings_.timesteps, step_seed);
  std::vector<float> sv(B), ss(B), sa(B), keep_action(B);
  std::vector<std::string> texts = b.instructions;
  std::mt19937_64 text_rng(step_seed ^ 0x7465787444524f50ull);
  for (int64_t i = 0; i < B; ++i) {
    const train::SampledTimesteps t = sampler.sample();
    sv[i] = t.video;
    ss[i] = t.state;
    sa[i] = t.action;
    keep_action[i] = t.action_clean ? 0.f : 1.f;
    if ((text_rng() >> 11) * 0x1.0p-53 < settings_.text_dropout) texts[i].clear();
  }
  auto sigma = [&](const std::vector<float>& v) { return torch::tensor(v).to(device_); };
  const torch::Tensor s_video = sigma(sv), s_state = sigma(ss), s_action = sigma(sa), keep = sigma(keep_action);

  // Noised inputs: z^σ = (1 − σ) z⁰ + σ ε for future frames, future states and actions.
  auto noise = [&](const torch::Tensor& like, int stream) {
    return sampling::seeded_noise(like.sizes(), step_seed, stream, like.options());
  };
  auto mix = [](const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& s) {
    auto shape = std::vector<int64_t>(x0.dim(), 1);
    shape[0] = s.size(0);
    auto sv = s.view(shape);
    return (1 - sv) * x0 + sv * eps;
  };
  const torch::Tensor z_future = z.slice(3, 1), eps_video = noise(z_future, 0);
  const torch::Tensor states = b.states.to(device_), actions = b.actions.to(device_);
  const torch::Tensor s_future = states.slice(1, 1), eps_state = noise(s_future, 1), eps_action = noise(actions, 2);

  model::ModelInputs in;
  in.video = torch::cat({z.slice(3, 0, 1), mix(z_future, eps_video, s_video)}, 3);
  in.states = torch::cat({states.slice(1, 0, 1), mix(s_future, eps_state, s_state)}, 1);
  in.actions = mix(actions, eps_action, s_action);
  in.t_video = s_video * 1000;
  in.t_state = s_state * 1000;
  in.t_action = s_action * 1000;
  {
    // The text encoder's gradient flows only for the built-in encoder.
    torch::AutoGradMode grad(settings_.model.text.kind == "builtin" && nets_.text->is_training());
    in.text = nets_.text->encode(texts);
  }
  in.run_depth = depth;
  const model::ModelOutputs out = nets_.model->forward(in);

  // Velocity targets ε − x⁰; action/state losses masked on the clean-action branch and unused dims.
  const auto& w = settings_.loss_weights;
  train::LossTerms terms;
  torch::Tensor video_loss = (out.video.slice(3, 1) - (eps_video - z_future)).pow(2).mean();
  const torch::Tensor smask = b.state_mask.to(device_).unsqueeze(1) * keep.view({B, 1, 1});
  const torch::Tensor amask = b.action_mask.to(device_).unsqueeze(1) * keep.view({B, 1, 1});
  torch::Tensor state_loss = weighted_mse(out.states.slice(1, 1), eps_state - s_future, smask);
  torch::Tensor action_loss = weighted_mse(out.actions, eps_action - actions, amask);
  torch::Tensor total = w.video * video_loss + w.state * state_loss + w.action * action_loss;
  terms.parts["video"] = video_loss.item<double>();
  terms.parts["state"] = state_loss.item<double>();
  terms.parts["action"] = action_loss.item<double>();
  if (depth) {
    torch::Tensor depth_loss = (out.depth - z_depth).pow(2).mean();
    total = total + w.depth * depth_loss;
    terms.parts["depth"] = depth_loss.item<double>();
  }
  if (!torch::isfinite(total).item<bool>())
    throw Error("training", "loss is not finite (NaN or Inf in the batch of episode " + clips[0].episode + ")");
  terms.total = total;
  return terms;
}

XWamTrainTask::ClipKey XWamTrainTask::key_of(const data::Clip& clip) {
  auto bytes = [](const std::vector<float>& v) {
    return std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  };
  const size_t h = std::hash<std::string_view>{}(bytes(clip.rgb)) ^ (std::hash<std::string_view>{}(bytes(clip.depth)) << 1) ^
                   (std::hash<std::string_view>{}(bytes(clip.depth_code)) << 2);
  return {clip.episode, clip.start_frame, h};
}

std::pair<torch::Tensor, torch::Tensor> XWamTrainTask::clip_latents(const std::vector<data::Clip>& clips,
                                                                     const ClipBatch& b, bool depth) {
  const auto& c = settings_.model;
  const bool cache = settings_.crop_scale >= 1.0;  // random crops make every draw a new clip
  std::vector<int64_t> missing;
  for (size_t i = 0; i < clips.size(); ++i)
    if (!cache || !latent_cache_.count(key_of(clips[i]))) missing.push_back(static_cast<int64_t>(i));
  std::map<int64_t, Latents> fresh;
  if (!missing.empty()) {
    const torch::Tensor idx = torch::tensor(missing);
    const torch::Tensor rgb = encode_views(nets_.vae, b.rgb.index_select(0, idx).to(device_));
    torch::Tensor dep;
    if (depth)
      dep = encode_views(nets_.vae, depth_pseudo_rgb(b, c).index_select(0, idx).to(device_));
    for (size_t j = 0; j < missing.size(); ++j) {
      Latents l{rgb[j], depth ? dep[j] : torch::Tensor()};
      if (cache) latent_cache_[key_of(clips[missing[j]])] = l;
      fresh[missing[j]] = l;
    }
  }
  std::vector<torch::Tensor> zs, ds;
  for (size_t i = 0; i < clips.size(); ++i) {
    const Latents& l = fresh.count(i) ? fresh.at(i) : latent_cache_.at(key_of(clips[i]));
    zs.push_back(l.rgb);
    if (depth) {
      if (!l.depth.defined()) throw Error("training", "episode " + clips[i].episode, "has no depth latents cached");
      ds.push_back(l.depth);
    }
  }
  return {torch::stack(zs), depth ? torch::stack(ds) : torch::Tensor()};
}


// ---- VAE ------------------------------------------------------------------------------------------

std::vector<torch::Tensor> VaeTrainTask::parameters() { return params_of(*nets_.vae); }
void VaeTrainTask::train_mode(bool on) { nets_.vae->train(on); }

train::LossTerms VaeTrainTask::loss(const std::vector<data::Clip>& clips, uint64_t step_seed) {
  const auto& c = settings_.model;
  ClipBatch b = to_batch(clips, c);
  auto recon = [&](const torch::Tensor& x, int stream, torch::Tensor& kl) {
    const model::VaeEncoding enc = nets_.vae->encode_distribution(x);
    // Reparameterized sample: the decoder learns to tolerate the latent noise the DiT leaves.
    auto std = (0.5 * enc.log_var).exp();
    auto zs = enc.mean + std * sampling::seeded_noise(enc.mean.sizes(), step_seed, stream, enc.mean.options());
    kl = 0.5 * (enc.mean.pow(2) + enc.log_var.exp() - 1 - enc.log_var).mean();
    return (nets_.vae->decode(zs) - x).abs().mean();
  };
  // One random view per clip and the first 1 + tc frames: every code path of the causal VAE (the
  // first frame alone, one temporal chunk) at a fraction of the cost of whole clips.
  const int64_t B = b.rgb.size(0), V = b.rgb.size(1), frames = std::min<int64_t>(b.rgb.size(3), 1 + c.temporal_compression);
  std::mt19937_64 rng(step_seed ^ 0x5641455649455753ull);
  std::vector<int64_t> pick(B);
  for (auto& v : pick) v = static_cast<int64_t>(rng() % V);
  const torch::Tensor index = torch::tensor(pick), rows = torch::arange(B);
  auto select = [&](const torch::Tensor& t) { return t.index({rows, index}).slice(2, 0, frames).to(device_); };
  torch::Tensor kl_rgb, kl_depth;
  torch::Tensor rgb_loss = recon(select(b.rgb), 0, kl_rgb);
  torch::Tensor total = rgb_loss + settings_.kl_weight * kl_rgb;
  train::LossTerms terms;
  terms.parts["rgb"] = rgb_loss.item<double>();
  terms.parts["kl"] = kl_rgb.item<double>();
  if ((b.depth.defined() || b.depth_code.defined()) && settings_.loss_weights.depth > 0) {
    auto pseudo = select(depth_pseudo_rgb(b, c));
    torch::Tensor depth_loss = recon(pseudo, 1, kl_depth);
    total = total + settings_.loss_weights.depth * (depth_loss + settings_.kl_weight * kl_depth);
    terms.parts["depth"] = depth_loss.item<double>();
  }
  terms.total = total;
  return terms;
}

}  // namespace xwam::pipeline
