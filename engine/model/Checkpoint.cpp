#include "engine/model/Checkpoint.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/core/JsonFields.h"
#include "engine/core/RegularFile.h"
#include "engine/model/ReleasedCheckpoint.h"

namespace xwam::model {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Our layout: CKPT/config.json + CKPT/model.safetensors.
CheckpointData read_our_checkpoint(const fs::path& dir) {
  const fs::path config_path = dir / "config.json", weights = dir / "model.safetensors";
  if (!fs::exists(weights)) throw Error(dir.string(), "no model.safetensors: not an X-WAM checkpoint directory");
  json j = json_fields::parse_file(config_path.string(), "checkpoint config");
  if (!j.is_object()) throw Error(config_path.string(), "expected a JSON object");
  if (!j.contains("model")) throw Error(config_path.string(), "key model", "missing (the network's configuration)");
  CheckpointData ckpt;
  ckpt.config = XWamConfig::from_json_text(j.at("model").dump(), config_path.string() + " (model)");
  j.erase("model");
  ckpt.extra_json = j.dump();
  ckpt.origin = dir.string();
  ckpt.tensors = io::read_safetensors(weights.string());
  return ckpt;
}

// A umT5 tokenizer named by our config but no longer where it points (a checkpoint copied to another
// machine) is taken from the Wan2.2 folder the user gives.
void tokenizer_from_wan_dir(CheckpointData& ckpt, const std::string& wan_dir) {
  TextConfig& text = ckpt.config.text;
  if (text.kind != "umt5-xxl" || wan_dir.empty()) return;
  const fs::path named = fs::path(ckpt.origin) / text.tokenizer;  // an absolute tokenizer path stays itself
  if (!text.tokenizer.empty() && fs::is_regular_file(named)) return;
  const fs::path in_wan = fs::path(wan_dir) / "google" / "umt5-xxl" / "spiece.model";
  if (!fs::is_regular_file(in_wan))
    throw Error(in_wan.string(), "umT5 tokenizer not found in the Wan2.2 folder given (--wan-dir), and the checkpoint's " +
                                     (text.tokenizer.empty() ? std::string("config names none")
                                                             : "text.tokenizer " + named.string() + " is not there either"));
  text.tokenizer = fs::absolute(in_wan).lexically_normal().string();
}

}  // namespace

CheckpointData read_checkpoint(const std::string& path, const std::string& wan_dir) {
  if (!fs::exists(path)) throw Error(path, "checkpoint not found");
  const fs::path p(path);
  auto ours = [&](const fs::path& dir) {
    CheckpointData ckpt = read_our_checkpoint(dir);
    tokenizer_from_wan_dir(ckpt, wan_dir);
    return ckpt;
  };
  if (fs::is_directory(p) && fs::exists(p / "model.safetensors")) return ours(p);
  // A training step directory (RUN/checkpoints/step_N) or a whole run (its newest complete step).
  if (fs::is_directory(p / "weights")) return ours(p / "weights");
  if (fs::exists(p / "checkpoints" / "latest")) {
    std::string name = read_regular_file((p / "checkpoints" / "latest").string(), 4096, "latest-step file");
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    return ours(p / "checkpoints" / name / "weights");
  }
  // The released X-WAM layouts: a run directory with config.yaml, a <step>.ckpt directory, or the .pt.
  if (is_released_checkpoint(path)) return read_released_checkpoint(path, std::nullopt, wan_dir);
  throw Error(path, "not a checkpoint: expected a directory with config.json and model.safetensors, a training run "
                    "directory, or a released X-WAM run / .pt file");
}

void write_checkpoint(const std::string& dir, const XWamConfig& config, const io::TensorMap& tensors,
                      const std::string& extra_json) {
  json j = extra_json.empty() ? json::object() : json::parse(extra_json);
  j["model"] = json::parse(config.to_json());
  require_new_folder(dir);
  const fs::path root(dir);
  io::write_safetensors((root / "model.safetensors").string(), tensors, {{"format", "xwam"}, {"config", config.name}});
  std::ofstream out(root / "config.json");
  out << j.dump(2) << "\n";
  if (!out.flush()) throw Error((root / "config.json").string(), "write failed (disk full?)");
}

io::TensorMap with_prefix_removed(const io::TensorMap& all, const std::string& prefix) {
  io::TensorMap out;
  const std::string p = prefix + ".";
  for (const auto& [name, t] : all)
    if (name.compare(0, p.size(), p) == 0) out.emplace(name.substr(p.size()), t);
  return out;
}

io::TensorMap XWamNetworks::state() const {
  io::TensorMap out;
  auto add = [&](const torch::nn::Module& m, const std::string& prefix) {
    for (auto& [name, t] : io::state_of(m)) out.emplace(prefix + "." + name, t);
  };
  add(*model, "model");
  add(*vae, "vae");
  add(*text, "text_encoder");
  return out;
}

bool text_encoder_on_host(const XWamConfig& config, const torch::Device& device) {
  return device.is_cuda() && config.text.kind == "umt5-xxl";
}

XWamNetworks make_networks(const XWamConfig& config, const std::string& tokenizer_dir, const Placement& placement) {
  XWamNetworks n;
  n.model = XWamModel(config, placement.device, placement.dtype);
  n.vae = VideoVae(config.vae);
  n.vae->to(placement.device);
  const bool text_on_host = text_encoder_on_host(config, placement.device);
  n.text = TextEncoder(config.text, config.dit.text_len, tokenizer_dir, text_on_host ? torch::kCPU : placement.device,
                       text_on_host ? torch::kBFloat16 : torch::kFloat32);
  return n;
}

XWamNetworks load_networks(const CheckpointData& ckpt, const std::string& tokenizer_dir, const Placement& placement) {
  // Fresh networks take the weights and are handed out only when every part loaded: nothing half-loaded.
  const io::TensorMap model = with_prefix_removed(ckpt.tensors, "model"), vae = with_prefix_removed(ckpt.tensors, "vae"),
                      text = with_prefix_removed(ckpt.tensors, "text_encoder");
  size_t known = model.size() + vae.size() + text.size();
  if (known != ckpt.tensors.size()) {
    for (const auto& [name, t] : ckpt.tensors)
      if (name.rfind("model.", 0) != 0 && name.rfind("vae.", 0) != 0 && name.rfind("text_encoder.", 0) != 0)
        throw Error(ckpt.origin, "unexpected tensor " + name + " (expected model.*, vae.* or text_encoder.*)");
  }
  // The config's sizes must be backed by weights before anything is built: a config.json saying
  // num_layers 100000 next to a small weights file would otherwise build networks for minutes.
  int64_t present = 0;
  for (const auto& [name, t] : ckpt.tensors) present += t.numel();
  if (present < ckpt.config.min_parameter_count())
    throw Error(ckpt.origin, "model config",
                "its sizes (dit.dim " + std::to_string(ckpt.config.dit.dim) + ", dit.num_layers " +
                    std::to_string(ckpt.config.dit.num_layers) + ", text.num_layers " +
                    std::to_string(ckpt.config.text.num_layers) + ", ...) need at least " +
                    std::to_string(ckpt.config.min_parameter_count()) + " weights but the checkpoint holds " +
                    std::to_string(present) + ": config and weights disagree");
  XWamNetworks staged = make_networks(ckpt.config, tokenizer_dir, placement);
  io::load_into(*staged.model, model, ckpt.origin + " (model.*)");
  io::load_into(*staged.vae, vae, ckpt.origin + " (vae.*)");
  io::load_into(*staged.text, text, ckpt.origin + " (text_encoder.*)");
  return staged;
}

}  // namespace xwam::model
