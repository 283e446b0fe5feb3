#include "engine/model/WanInit.h"

#include "engine/core/Error.h"

namespace xwam::model {

bool is_xwam_addition(const std::string& name) {
  for (const char* prefix : {"extra_blocks.", "extra_heads.", "view_embedding.", "action_encoder.", "action_decoder.",
                             "proprio_encoder.", "proprio_decoder."})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
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

  // Depth branch: block j copies main block N − M + j, its head copies the main head.
  const int N = model->config.dit.num_layers, M = model->config.depth_layers;
  std::vector<std::string> seeded;
  for (auto& [name, t] : own) {
    std::string source;
    if (name.rfind("extra_blocks.0.", 0) == 0) {
      const std::string rest = name.substr(15);
      const auto dot = rest.find('.');
      const int j = std::stoi(rest.substr(0, dot));
      source = "blocks." + std::to_string(N - M + j) + rest.substr(dot);
    } else if (name.rfind("extra_heads.0.", 0) == 0) {
      source = "head." + name.substr(14);
    }
    if (source.empty()) continue;
    t.copy_(own.at(source));
    seeded.push_back(name);
  }
  std::vector<std::string> untouched;
  for (const auto& name : fresh)
    if (std::find(seeded.begin(), seeded.end(), name) == seeded.end()) untouched.push_back(name);
  return untouched;
}

}  // namespace xwam::model
