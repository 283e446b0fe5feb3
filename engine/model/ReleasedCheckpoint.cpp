#include "engine/model/ReleasedCheckpoint.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"
#include "engine/io/TorchCheckpoint.h"

namespace xwam::model {
namespace fs = std::filesystem;

namespace {

const char* kStatesFile = "checkpoint/mp_rank_00_model_states.pt";
constexpr uint64_t kMaxYamlBytes = 16u << 20;  // a trainer's config.yaml is a few KiB

// Step of a Lightning checkpoint directory name: "100.ckpt", "epoch=0-step=5000.ckpt"; -1 otherwise.
long long step_of(const std::string& name) {
  std::smatch m;
  static const std::regex with_step(R"(step=(\d+))"), plain(R"(^(\d+)\.ckpt$)");
  if (std::regex_search(name, m, with_step) || std::regex_match(name, m, plain)) return std::stoll(m[1].str());
  return -1;
}

std::optional<fs::path> find_config_yaml(const fs::path& weights) {
  for (fs::path dir = fs::absolute(weights).parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "config.yaml")) return dir / "config.yaml";
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

// A yaml value as int; vae_stride is written as a string "(4, 16, 16)" by OmegaConf, a list otherwise.
std::vector<int> ints_of(const YAML::Node& node) {
  std::vector<int> out;
  if (node.IsSequence()) {
    for (const auto& v : node) out.push_back(v.as<int>());
  } else {
    const std::string s = node.as<std::string>();
    static const std::regex number(R"(-?\d+)");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), number); it != std::sregex_iterator(); ++it)
      out.push_back(std::stoi(it->str()));
  }
  return out;
}

int count_indices(const io::TensorMap& t, const std::string& prefix) {
  std::set<int> seen;
  for (const auto& [name, tensor] : t) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const size_t dot = name.find('.', prefix.size());
    try {
      seen.insert(std::stoi(name.substr(prefix.size(), dot - prefix.size())));
    } catch (const std::exception&) {
    }
  }
  return static_cast<int>(seen.size());
}

// The Wan2.2 VAE's structure read off its tensor names and shapes (vae.* after the `.model` rename):
// encoder.conv1 [base_dim, 3·patch², …]; level i's first residual conv encoder.downsamples.i.
// downsamples.0.residual.2 [base_dim·dim_mult[i], …]; a level's residual blocks, then its resample,
// whose time_conv exists where the level also halves time; decoder.conv1 [dec_base_dim·dim_mult.back(), z_dim, …].
void vae_sizes_from_weights(VaeConfig& v, const io::TensorMap& t) {
  auto shape = [&](const std::string& name) -> std::vector<int64_t> {
    auto it = t.find(name);
    return it == t.end() ? std::vector<int64_t>{} : it->second.sizes().vec();
  };
  const auto conv_in = shape("vae.encoder.conv1.weight"), conv_out = shape("vae.decoder.conv1.weight");
  const int levels = count_indices(t, "vae.encoder.downsamples.");
  if (conv_in.size() != 5 || conv_out.size() != 5 || levels == 0) return;  // not a Wan2.2-style VAE: keep the config
  const std::string level0 = "vae.encoder.downsamples.0.downsamples.";
  int res_blocks = 0;
  while (t.count(level0 + std::to_string(res_blocks) + ".residual.2.weight")) ++res_blocks;
  std::vector<int> mult;
  std::vector<bool> t_down;
  for (int i = 0; i < levels; ++i) {
    const std::string level = "vae.encoder.downsamples." + std::to_string(i) + ".downsamples.";
    const auto conv = shape(level + "0.residual.2.weight");
    if (conv.size() != 5 || conv_in[0] <= 0 || conv[0] <= 0 || conv[0] % conv_in[0] != 0) return;  // unexpected layout: load_networks names it
    mult.push_back(static_cast<int>(conv[0] / conv_in[0]));
    if (i + 1 < levels) t_down.push_back(t.count(level + std::to_string(res_blocks) + ".time_conv.weight") > 0);
  }
  v.base_dim = static_cast<int>(conv_in[0]);
  v.patch = static_cast<int>(std::lround(std::sqrt(conv_in[1] / 3.0)));
  v.dim_mult = mult;
  v.temporal_down = t_down;
  v.num_res_blocks = res_blocks;
  v.z_dim = static_cast<int>(conv_out[1]);
  v.dec_base_dim = static_cast<int>(conv_out[0] / mult.back());
}

// The sizes the weights show override the config: a released file is the truth about its network.
void sizes_from_weights(XWamConfig& c, const io::TensorMap& t) {
  auto shape = [&](const std::string& name) -> std::vector<int64_t> {
    auto it = t.find(name);
    return it == t.end() ? std::vector<int64_t>{} : it->second.sizes().vec();
  };
  if (auto p = shape("model.patch_embedding.weight"); p.size() == 5) {
    // Heads are not visible in the weights: Wan2.x uses head_dim 128; other widths keep the config's.
    if (p[0] != c.dit.dim && p[0] % 128 == 0) c.dit.num_heads = static_cast<int>(p[0] / 128);
    c.dit.dim = static_cast<int>(p[0]);
    c.dit.in_dim = static_cast<int>(p[1]);
    c.dit.patch = {static_cast<int>(p[2]), static_cast<int>(p[3]), static_cast<int>(p[4])};
  }
  if (int n = count_indices(t, "model.blocks."); n > 0) {
    c.dit.num_layers = n;
    c.depth_layers = count_indices(t, "model.extra_blocks.0.");
  }
  if (auto p = shape("model.blocks.0.ffn.0.weight"); p.size() == 2) c.dit.ffn_dim = static_cast<int>(p[0]);
  if (auto p = shape("model.time_embedding.0.weight"); p.size() == 2) c.dit.freq_dim = static_cast<int>(p[1]);
  if (auto p = shape("model.text_embedding.0.weight"); p.size() == 2) c.dit.text_dim = static_cast<int>(p[1]);
  const int64_t patch_volume = int64_t{c.dit.patch[0]} * c.dit.patch[1] * c.dit.patch[2];
  if (auto p = shape("model.head.head.weight"); p.size() == 2 && patch_volume > 0)
    c.dit.out_dim = static_cast<int>(p[0] / patch_volume);
  if (auto p = shape("model.view_embedding.weight"); p.size() == 2) c.views = static_cast<int>(p[0]);
  if (auto p = shape("model.action_encoder.0.weight"); p.size() == 2) c.action_dim = static_cast<int>(p[1]);
  if (auto p = shape("model.proprio_encoder.0.weight"); p.size() == 2) c.state_dim = static_cast<int>(p[1]);
  vae_sizes_from_weights(c.vae, t);
  // Latent normalization of the VAE (registered buffers of the released Wan2_2_VAE wrapper).
  auto values = [&](const std::string& name) {
    torch::Tensor v = t.at(name).to(torch::kFloat32).contiguous().flatten();
    return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
  };
  if (t.count("vae.mean") && t.count("vae.std")) {
    c.vae.latent_mean = values("vae.mean");
    c.vae.latent_std = values("vae.std");
    c.vae.z_dim = static_cast<int>(c.vae.latent_mean.size());
  }
  if (c.text.kind == "umt5-xxl") {
    if (auto p = shape("text_encoder.token_embedding.weight"); p.size() == 2) {
      if (p[1] != c.text.dim && p[1] % 64 == 0) c.text.num_heads = static_cast<int>(p[1] / 64);  // umT5: head_dim 64
      c.text.vocab = static_cast<int>(p[0]);
      c.text.dim = static_cast<int>(p[1]);
    }
    if (int n = count_indices(t, "text_encoder.blocks."); n > 0) c.text.num_layers = n;
    if (auto p = shape("text_encoder.blocks.0.ffn.fc1.weight"); p.size() == 2) c.text.ffn_dim = static_cast<int>(p[0]);
    if (auto p = shape("text_encoder.blocks.0.pos_embedding.embedding.weight"); p.size() == 2)
      c.text.num_buckets = static_cast<int>(p[0]);
  }
}

}  // namespace

std::string released_weights_file(const std::string& path) {
  const fs::path p(path);
  if (fs::is_regular_file(p)) return path;
  if (fs::exists(p) && !fs::is_directory(p)) regular_file_size(path, "checkpoint file");  // a FIFO or device: say so
  if (fs::is_regular_file(p / kStatesFile)) return (p / kStatesFile).string();  // a <step>.ckpt directory
  const fs::path dir = p / "checkpoints";
  if (!fs::is_directory(dir)) throw Error(path, "not a released X-WAM run: no checkpoints/ directory and no .pt file");
  if (fs::is_regular_file(dir / "last.ckpt" / kStatesFile)) return (dir / "last.ckpt" / kStatesFile).string();
  fs::path best;
  long long best_step = -1;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const long long step = step_of(entry.path().filename().string());
    if (step > best_step && fs::is_regular_file(entry.path() / kStatesFile)) {
      best_step = step;
      best = entry.path() / kStatesFile;
    }
  }
  if (best.empty())
    throw Error(dir.string(), std::string("no <step>.ckpt/") + kStatesFile + " inside: not a released X-WAM run");
  return best.string();
}

bool is_released_checkpoint(const std::string& path) {
  try {
    return io::is_torch_checkpoint(released_weights_file(path));
  } catch (const Error&) {
    return false;
  }
}

XWamConfig config_from_released_yaml(const std::string& yaml_path, const XWamConfig& base) {
  YAML::Node y;
  try {
    y = YAML::Load(read_regular_file(yaml_path, kMaxYamlBytes, "config.yaml"));
  } catch (const YAML::Exception& e) {
    throw Error(yaml_path, std::string("cannot read YAML: ") + e.what());
  }
  if (!y.IsMap()) throw Error(yaml_path, "expected a mapping of settings");
  XWamConfig c = base;
  const std::string name = fs::path(yaml_path).parent_path().filename().string();
  c.name = name.empty() ? "x-wam-release" : name;
  const YAML::Node data = y["dataset"].IsMap() ? y["dataset"] : YAML::Node();
  auto get = [&](const YAML::Node& node, const char* key, auto& out) {
    if (!node || !node[key]) return false;
    try {
      out = node[key].as<std::decay_t<decltype(out)>>();
    } catch (const std::exception&) {
      throw Error(yaml_path, std::string("key ") + key, "has the wrong type");
    }
    return true;
  };
  try {
    int spatial = c.vae.spatial_compression();
    if (y["vae_stride"]) {
      const auto stride = ints_of(y["vae_stride"]);
      if (stride.size() != 3 || *std::min_element(stride.begin(), stride.end()) < 1)
        throw Error(yaml_path, "key vae_stride", "expected three positive numbers (t, h, w)");
      c.temporal_compression = stride[0];
      spatial = stride[1];
    }
    int frame_num = 0;
    if (get(y, "frame_num", frame_num)) c.latent_frames = 1 + (frame_num - 1) / c.temporal_compression;
    std::vector<int> video_size;
    if (get(data, "video_size", video_size) && video_size.size() == 2) {
      c.latent_height = video_size[0] / spatial;
      c.latent_width = video_size[1] / spatial;
    }
    int sequence_length = 0, frame_skip = 0, action_skip = 1;
    get(data, "action_skip", action_skip);
    if (get(data, "frame_skip", frame_skip) && action_skip > 0) c.actions_per_frame = frame_skip / action_skip;
    if (get(data, "sequence_length", sequence_length)) {
      c.num_states = sequence_length;
      c.num_actions = (sequence_length - 1) * c.actions_per_frame;
    }
    get(y, "action_dim", c.action_dim);
    get(y, "proprio_dim", c.state_dim);
    get(y, "text_len", c.dit.text_len);
    get(y, "num_extra_layers", c.depth_layers);
    bool use_depth = true;
    if (get(y, "use_depth", use_depth) && !use_depth) c.depth_layers = 0;
    std::string t5;
    if (get(y, "t5_model", t5) && t5.rfind("umt5", 0) == 0) {
      c.text.kind = "umt5-xxl";
      c.text.context_padding = "keep";  // the released umT5 returns all text_len rows and the DiT was trained on them
    }
  } catch (const YAML::Exception& e) {
    throw Error(yaml_path, std::string("malformed: ") + e.what());
  } catch (const std::logic_error& e) {  // std::stoi on a number beyond int
    throw Error(yaml_path, std::string("a number is out of range: ") + e.what());
  }
  return c;
}

std::string find_released_tokenizer(const std::string& yaml_path, const std::string& weights,
                                    const std::string& wan_dir) {
  std::string tokenizer = "google/umt5-xxl", wan_checkpoint_dir;
  if (!yaml_path.empty()) {
    try {
      const YAML::Node y = YAML::Load(read_regular_file(yaml_path, kMaxYamlBytes, "config.yaml"));
      if (y["t5_tokenizer"] && y["t5_tokenizer"].IsScalar()) tokenizer = y["t5_tokenizer"].as<std::string>();
      if (y["wan_checkpoint_dir"] && y["wan_checkpoint_dir"].IsScalar())
        wan_checkpoint_dir = y["wan_checkpoint_dir"].as<std::string>();
    } catch (const std::exception& e) {
      throw Error(yaml_path, std::string("cannot read the tokenizer keys: ") + e.what());
    }
  }
  const fs::path run = fs::absolute(yaml_path.empty() ? fs::path(weights) : fs::path(yaml_path)).parent_path();
  const fs::path in_folder = fs::path(tokenizer) / "spiece.model";
  std::vector<fs::path> tried;
  auto add = [&](const fs::path& p) { tried.push_back(fs::absolute(p).lexically_normal()); };
  if (!wan_dir.empty()) add(fs::path(wan_dir) / in_folder);
  if (!wan_checkpoint_dir.empty()) {
    const fs::path dir(wan_checkpoint_dir);
    add(dir / in_folder);
    if (dir.is_relative()) add(run / dir / in_folder);
  }
  add(run / in_folder);
  for (const auto& candidate : tried)
    if (fs::is_regular_file(candidate)) return candidate.string();
  std::string list;
  for (const auto& candidate : tried) list += "\n  " + candidate.string();
  const std::string keys = yaml_path.empty() ? std::string()
                                             : "t5_tokenizer " + tokenizer + ", wan_checkpoint_dir " +
                                                   (wan_checkpoint_dir.empty() ? std::string("(none)") : wan_checkpoint_dir);
  throw Error(yaml_path.empty() ? weights : yaml_path, keys,
              "the umT5 text encoder needs its tokenizer, " + in_folder.string() +
                  " (part of the Wan2.2-TI2V-5B download), which is in none of the places tried:" + list +
                  "\npass the Wan2.2 folder with --wan-dir DIR (in the Studio: Run panel, Wan2.2 dir)");
}

CheckpointData read_released_checkpoint(const std::string& path, const std::optional<XWamConfig>& base,
                                        const std::string& wan_dir) {
  const std::string weights = released_weights_file(path);
  XWamConfig c;
  const auto yaml = find_config_yaml(weights);
  if (yaml) {
    c = config_from_released_yaml(yaml->string(), base ? *base : XWamConfig::preset("wan2.2-ti2v-5b"));
  } else if (base) {
    c = *base;
  } else {
    throw Error(weights, "no config.yaml next to it or in a folder above: pass the model configuration (--config)");
  }
  const std::string yaml_used = yaml ? yaml->string() : "";
  std::vector<std::string> warnings;
  const io::TensorMap module = io::read_torch_checkpoint(weights, &warnings, "module");
  CheckpointData out;
  out.origin = weights;
  // Released names → ours: the VAE and umT5 wrappers hold their networks as `.model`.
  for (const auto& [name, t] : module) {
    std::string ours = name;
    if (name.rfind("vae.model.", 0) == 0) ours = "vae." + name.substr(10);
    else if (name.rfind("text_encoder.model.", 0) == 0) ours = "text_encoder." + name.substr(19);
    out.tensors.emplace(ours, t);
  }
  sizes_from_weights(c, out.tensors);
  out.tensors.erase("vae.mean");  // now in the config (latent normalization)
  out.tensors.erase("vae.std");
  c.validate(weights + (yaml_used.empty() ? "" : " with " + yaml_used));
  // The released runs hold the umT5 weights but not its tokenizer.
  if (c.text.kind == "umt5-xxl" && c.text.tokenizer.empty())
    c.text.tokenizer = find_released_tokenizer(yaml_used, weights, wan_dir);
  out.config = c;
  nlohmann::json extra = {{"source", {{"format", "x-wam-release"}, {"weights", weights}}}};
  if (!yaml_used.empty()) extra["source"]["config_yaml"] = yaml_used;
  if (!warnings.empty()) extra["source"]["skipped"] = warnings;
  out.extra_json = extra.dump();
  return out;
}

}  // namespace xwam::model
