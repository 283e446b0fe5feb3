#include "engine/model/WanInit.h"

#include <cmath>

#include "engine/core/Error.h"

namespace xwam::model {

bool is_xwam_addition(const std::string& name) {
  for (const char* prefix : {"extra_blocks.", "extra_heads.", "view_embedding.", "action_encoder.", "action_decoder.",
                             "proprio_encoder.", "proprio_decoder."})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

void init_new_parts(XWamModel& model) {
  torch::NoGradGuard no_grad;
  auto init_linears = [](torch::nn::Module& m) {
    for (auto& child : m.modules(/*include_self=*/true))
      if (auto* linear = child->as<torch::nn::Linear>()) {
        linear->weight.normal_(0, 0.02);
        if (linear->bias.defined()) linear->bias.zero_();
      }
  };
  model->view_embedding->weight.normal_(0, 0.02);
  for (auto* mlp : {&model->action_encoder, &model->action_decoder, &model->proprio_encoder, &model->proprio_decoder})
    init_linears(**mlp);
  const double dim = model->config.dit.dim;
  for (auto& head : *model->extra_heads) {
    auto* h = head->as<Head>();
    h->modulation.copy_(torch::randn_like(h->modulation) / std::sqrt(dim));
    init_linears(*h->head);
  }
}

std::vector<std::string> init_from_wan(XWamModel& model, const io::TensorMap& wan, const std::string& origin) {
  // Load the DiT through a view that holds only Wan2.2's parameters, so the usual all-or-nothing
  // checks name exactly what a Wan2.2 file must provide.
  io::TensorMap own = io::state_of(*model);
  io::TensorMap dit_targets, sources;
  std::vector<std::string> fresh;
  for (const auto& [name, t] : own) {
    if (is_xwam_addition(name)) {
      fresh.push_back(name);
    } else {
      dit_targets[name] = t;
    }
  }
  std::string missing, unexpected, shapes;
  for (const auto& [name, t] : dit_targets) {
    auto it = wan.find(name);
    if (it == wan.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    } else if (it->second.sizes() != t.sizes()) {
      shapes += (shapes.empty() ? "" : ", ") + name;
    }
  }
  for (const auto& [name, t] : wan)
    if (!dit_targets.count(name)) unexpected += (unexpected.empty() ? "" : ", ") + name;
  if (!missing.empty() || !unexpected.empty() || !shapes.empty())
    throw Error(origin, "not Wan2.2 DiT weights for config " + model->config.name + " (nothing loaded):" +
                            (missing.empty() ? "" : " missing: " + missing + ";") +
                            (shapes.empty() ? "" : " wrong shape: " + shapes + ";") +
                            (unexpected.empty() ? "" : " unexpected: " + unexpected + ";"));
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : dit_targets) t.copy_(wan.at(name).to(t.dtype()));

  // Depth branch: block j copies main block N − M + j.
  const int N = model->config.dit.num_layers, M = model->config.depth_layers;
  std::vector<std::string> seeded;
  for (auto& [name, t] : own) {
    if (name.rfind("extra_blocks.0.", 0) != 0) continue;
    const std::string rest = name.substr(15);
    const auto dot = rest.find('.');
    const int j = std::stoi(rest.substr(0, dot));
    t.copy_(own.at("blocks." + std::to_string(N - M + j) + rest.substr(dot)));
    seeded.push_back(name);
  }
  init_new_parts(model);
  std::vector<std::string> untouched;
  for (const auto& name : fresh)
    if (std::find(seeded.begin(), seeded.end(), name) == seeded.end()) untouched.push_back(name);
  return untouched;
}

}  // namespace xwam::model
