// The fixture of tests/model/xwam_golden.py: outputs of the released X-WAM code on tiny
// configurations whose parameters come from an integer hash (the same formula on both sides), so
// the fixture holds inputs and outputs only. Shared by the model, text encoder and sampling tests.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/io/Safetensors.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/XWamModel.h"

namespace xwam::test {

inline std::string reference_path(const std::string& ext) {
  return std::string(XWAM_SOURCE_DIR) + "/tests/model/fixtures/xwam_reference." + ext;
}

inline const io::TensorMap& reference_tensors() {
  static const io::TensorMap tensors = io::read_safetensors(reference_path("safetensors"));
  return tensors;
}

inline const nlohmann::json& reference_meta() {
  static const nlohmann::json meta = [] {
    std::ifstream in(reference_path("json"));
    return nlohmann::json::parse(in);
  }();
  return meta;
}

inline torch::Tensor reference(const std::string& name) {
  const auto& tensors = reference_tensors();
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error("reference fixture has no tensor " + name);
  return it->second;
}

// n values in [-1, 1) from a 32-bit hash of (element index, seed): hashed_uniform() of xwam_golden.py.
inline torch::Tensor hashed_uniform(int64_t n, uint64_t seed) {
  constexpr uint64_t kMask = 0xFFFFFFFFull;
  auto out = torch::empty({n}, torch::kFloat64);
  auto* v = out.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    uint64_t h = (uint64_t(i) * 0x2545F491ull + seed) & kMask;
    h ^= h >> 15;
    h = (h * 0x2C1B3C6Dull) & kMask;
    h ^= h >> 12;
    h = (h * 0x297A2D39ull) & kMask;
    h ^= h >> 15;
    v[i] = double(h) / 2147483648.0 - 1.0;
  }
  return out;
}

inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every parameter of `module` in sorted-name order k from hashed_uniform(numel, k·1000003 + 12345):
// hashed_weights() of xwam_golden.py (norm scales 1 + 0.2u, biases 0.1u, modulation 0.5u, other
// weights u·√(3 / fan_in)); `bf16` rounds them to bfloat16 as a bf16 checkpoint holds them.
inline void hashed_weights(torch::nn::Module& module, bool bf16 = false) {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> sorted;
  for (const auto& p : module.named_parameters()) sorted.emplace(p.key(), p.value());
  uint64_t k = 0;
  for (auto& [name, p] : sorted) {
    auto u = hashed_uniform(p.numel(), (k++ * 1000003ull + 12345ull) & 0xFFFFFFFFull).view(p.sizes());
    const std::string leaf = name.substr(name.rfind('.') + 1);
    torch::Tensor v;
    bool norm_scale = false;
    for (const char* s : {"norm_q.weight", "norm_k.weight", "norm1.weight", "norm2.weight", "norm3.weight", "norm.weight"})
      norm_scale = norm_scale || ends_with(name, s);
    if (leaf == "weight" && norm_scale) v = 1.0 + 0.2 * u;
    else if (leaf == "bias") v = 0.1 * u;
    else if (leaf == "modulation") v = 0.5 * u;
    else v = u * std::sqrt(3.0 / double(p.numel() / p.size(0)));
    v = v.to(torch::kFloat32);
    if (bf16) v = v.to(torch::kBFloat16).to(torch::kFloat32);
    p.copy_(v);
  }
}

// The fixture's configuration `name` as our model config (the tiny preset's VAE and text encoder,
// which a forward pass does not use, sized to fit).
inline model::XWamConfig reference_config(const std::string& name) {
  const auto& c = reference_meta().at("configs").at(name);
  auto config = model::XWamConfig::preset("tiny");
  config.name = "released-reference-" + name;
  config.dit.dim = c.at("dim");
  config.dit.num_heads = c.at("heads");
  config.dit.ffn_dim = c.at("ffn");
  config.dit.num_layers = c.at("layers");
  config.dit.freq_dim = c.at("freq_dim");
  config.dit.in_dim = config.dit.out_dim = c.at("in_dim");
  config.dit.text_dim = config.text.dim = c.at("text_dim");
  config.dit.text_len = c.at("text_len");
  config.depth_layers = c.at("depth_layers");
  config.views = c.at("views");
  config.actions_per_frame = c.at("actions_per_frame");
  config.latent_frames = c.at("latent_frames");
  config.latent_height = c.at("latent_h");
  config.latent_width = c.at("latent_w");
  config.temporal_compression = 4;
  config.num_states = 1 + 4 * (config.latent_frames - 1);
  config.num_actions = (config.num_states - 1) * config.actions_per_frame;
  config.vae.z_dim = config.dit.in_dim;
  config.vae.temporal_down = {true, true};
  config.text.num_heads = 2;
  config.validate();
  return config;
}

// The inputs of one of the fixture's forward cases (an entry of "forward_cases"), on `device`.
inline model::ModelInputs reference_inputs(const nlohmann::json& c, const torch::Device& device = torch::kCPU) {
  const std::string key = c.at("key");
  model::ModelInputs in;
  in.video = reference(key + ".in.video").to(device);
  in.text = reference(key + ".in.text").to(device);
  in.actions = reference(key + ".in.actions").to(device);
  in.states = reference(key + ".in.states").to(device);
  in.t_video = torch::full({1}, c.at("t_video").get<double>()).to(device);
  in.t_action = torch::full({1}, c.at("t_action").get<double>()).to(device);
  in.t_state = torch::full({1}, c.at("t_state").get<double>()).to(device);
  in.run_depth = true;
  return in;
}

// Largest |a − b| relative to the largest |b|: the comparison the reference tests bound.
inline double max_relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>() /
         b.to(torch::kFloat64).abs().max().item<double>();
}

}  // namespace xwam::test
