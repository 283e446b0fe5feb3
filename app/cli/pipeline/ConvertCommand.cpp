// `xwam convert`: a released X-WAM checkpoint (run directory or DeepSpeed .pt) into ours
// (model.safetensors + config.json). The weights stream from the memory-mapped .pt into the
// safetensors file without a second copy in memory, so the 5B checkpoint converts in RAM well below
// its size; the run's dataset statistics become the checkpoint's norm_stats.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/core/RegularFile.h"
#include "engine/data/XWamDataset.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/ReleasedCheckpoint.h"
#include "engine/pipeline/TaskSettings.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// The released run's `dataset.statistics` (q01/q99 in the dataset config's key names) as our
// norm_stats JSON; empty when the config.yaml has none.
std::string norm_stats_of(const std::string& yaml_path) {
  const YAML::Node root = YAML::Load(read_regular_file(yaml_path, 16u << 20, "config.yaml"));
  if (!root["dataset"] || !root["dataset"]["statistics"]) return "";
  return pipeline::norm_stats_to_json(data::read_xwam_statistics(yaml_path));
}

}  // namespace

XWAM_COMMAND(convert, "Convert a released X-WAM checkpoint (run directory or .pt) into ours",
             "xwam convert --in RUN_DIR|<step>.ckpt|FILE.pt|CKPT --out CKPT_DIR [--force] [--config NAME|FILE.json] [--wan-dir DIR]\n"
             "             [--verify] [--dtype keep|float32|float16|bfloat16] [--replace PART=CKPT ...]\n"
             "  RUN_DIR: the released layout (config.yaml, checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt;\n"
             "  the newest step is taken). The config.yaml (found next to the .pt or above it) gives the sample layout\n"
             "  over --config (default wan2.2-ti2v-5b), the weights give the network sizes; a .pt without a\n"
             "  config.yaml needs --config. A umT5 run's tokenizer is not in the run: it is looked for in --wan-dir\n"
             "  (the Wan2.2-TI2V-5B folder), then the yaml's wan_checkpoint_dir, then beside the run; the converted\n"
             "  checkpoint points to it. --verify loads every tensor into the networks before writing (names and\n"
             "  shapes checked; needs the float32 networks' memory). --dtype stores floating tensors in another\n"
             "  precision (e.g. float16 halves a shipped checkpoint; our own checkpoints and training runs are\n"
             "  accepted as --in for this). --replace vae=CKPT (or model=, text_encoder=) takes that part's tensors\n"
             "  from another checkpoint, e.g. a VAE decoder fine-tuned after the network. Nothing is written when\n"
             "  anything fails. CKPT_DIR is replaced only when it is empty or a checkpoint xwam wrote; --force moves\n"
             "  any other CKPT_DIR aside to CKPT_DIR.old-N (nothing is deleted).",
             {"verify", "force"}) {
  const std::string in = args.require("in");
  const std::string out = args.require("out");
  const OutputOptions output{args.flag("force")};
  const std::string config_name = args.get("config", "");
  const std::string wan_dir = args.get("wan-dir", "");
  const bool verify = args.flag("verify");
  const std::string dtype = args.get("dtype", "keep");
  const std::vector<std::string> replacements = args.list("replace");
  args.check_all_used();
  OutputDir target(out, "checkpoint", output);  // refused before any reading if it holds a user's files
  std::optional<torch::ScalarType> cast;
  if (dtype == "float32") cast = torch::kFloat32;
  else if (dtype == "float16") cast = torch::kFloat16;
  else if (dtype == "bfloat16") cast = torch::kBFloat16;
  else if (dtype != "keep") throw Error("--dtype", "must be keep, float32, float16 or bfloat16, not '" + dtype + "'");
  std::optional<model::XWamConfig> base;
  if (!config_name.empty())
    base = fs::exists(config_name) ? model::XWamConfig::from_json_file(config_name) : model::XWamConfig::preset(config_name);
  const fs::path p(in);
  const bool ours = fs::exists(p / "model.safetensors") || fs::is_directory(p / "weights") ||
                    fs::exists(p / "checkpoints" / "latest");
  model::CheckpointData ckpt = ours ? model::read_checkpoint(in, wan_dir) : model::read_released_checkpoint(in, base, wan_dir);
  for (const auto& r : replacements) {
    const auto eq = r.find('=');
    const std::string part = r.substr(0, eq);
    if (eq == std::string::npos || (part != "model" && part != "vae" && part != "text_encoder"))
      throw Error("--replace " + r, "expected PART=CKPT with PART model, vae or text_encoder");
    const model::CheckpointData other = model::read_checkpoint(r.substr(eq + 1));
    const io::TensorMap incoming = model::with_prefix_removed(other.tensors, part);
    if (incoming.empty()) throw Error(other.origin, "has no " + part + ".* tensors");
    for (auto it = ckpt.tensors.begin(); it != ckpt.tensors.end();)
      it = it->first.rfind(part + ".", 0) == 0 ? ckpt.tensors.erase(it) : std::next(it);
    for (const auto& [name, t] : incoming) ckpt.tensors[part + "." + name] = t;
    std::fprintf(stderr, "[convert] %s.* (%zu tensors) from %s\n", part.c_str(), incoming.size(), other.origin.c_str());
  }
  if (cast)
    for (auto& [name, t] : ckpt.tensors)
      if (t.is_floating_point()) t = t.to(*cast);
  nlohmann::json extra = nlohmann::json::parse(ckpt.extra_json);
  if (extra.contains("source") && extra["source"].contains("skipped"))
    for (const auto& w : extra["source"]["skipped"]) std::fprintf(stderr, "[convert] %s\n", w.get<std::string>().c_str());
  if (extra.contains("source") && extra["source"].contains("config_yaml")) {
    const std::string stats = norm_stats_of(extra["source"]["config_yaml"].get<std::string>());
    if (!stats.empty()) extra["norm_stats"] = nlohmann::json::parse(stats);
  }
  if (verify || !replacements.empty()) model::load_networks(ckpt);  // a replaced part must fit the config
  size_t bytes = 0;
  for (const auto& [name, t] : ckpt.tensors) bytes += t.nbytes();
  model::write_checkpoint(target.path(), ckpt.config, ckpt.tensors, extra.dump());
  const std::string moved = target.commit();
  if (!moved.empty()) std::fprintf(stderr, "[convert] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  std::printf("wrote %s: %zu tensors (%.2f GB) from %s, config %s%s\n", out.c_str(), ckpt.tensors.size(), bytes / 1e9,
              ckpt.origin.c_str(), ckpt.config.name.c_str(), extra.contains("norm_stats") ? ", with norm_stats" : ", no norm_stats (rollouts need them)");
  return 0;
}
