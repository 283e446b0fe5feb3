// `xwam init-from-wan`: an X-WAM checkpoint from a downloaded Wan2.2-TI2V-5B directory (DiT weights
// loaded as they are, depth branch copied from the last M blocks, new X-WAM parts initialized; the
// VAE and umT5 text encoder taken from Wan2.2's .pth files when present).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/io/TorchCheckpoint.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/WanInit.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Checks `tensors` against a fresh `module` by name and shape (all or nothing, errors name the
// tensor) and returns them prefixed, in the file's dtype: the checkpoint keeps bf16 weights bf16.
template <typename Module>
io::TensorMap checked(Module module, const io::TensorMap& tensors, const std::string& origin, const std::string& prefix) {
  io::load_into(*module, tensors, origin);
  io::TensorMap out;
  for (const auto& [name, t] : tensors) out.emplace(prefix + "." + name, t);
  return out;
}

}  // namespace

XWAM_COMMAND(init_from_wan, "Build an X-WAM checkpoint from Wan2.2 weights (DiT, VAE, text encoder)",
             "xwam init-from-wan --wan-dir DIR --config wan2.2-ti2v-5b|FILE.json --out CKPT_DIR [--seed S] [--force]\n"
             "  DIR holds diffusion_pytorch_model.safetensors.index.json (+ shards) or diffusion_pytorch_model.safetensors,\n"
             "  Wan2.2_VAE.pth (→ vae.*; without it the VAE starts fresh) and, for text.kind umt5-xxl,\n"
             "  models_t5_umt5-xxl-enc-bf16.pth (→ text_encoder.*) with google/umt5-xxl/spiece.model (the\n"
             "  checkpoint's config points to it). A builtin text encoder (tiny, demo) starts fresh.\n"
             "  Writes CKPT_DIR/model.safetensors and CKPT_DIR/config.json atomically. The 5B preset is built in\n"
             "  float32: plan for about 30 GB of memory. CKPT_DIR is replaced only when it is empty or a checkpoint\n"
             "  xwam wrote; --force moves any other CKPT_DIR aside to CKPT_DIR.old-N (nothing is deleted).",
             {"force"}) {
  const std::string dir = args.require("wan-dir");
  const std::string config_name = args.require("config");
  const std::string out = args.require("out");
  const int64_t seed = args.get_int("seed", 0);
  const OutputOptions output{args.flag("force")};
  args.check_all_used();
  OutputDir target(out, "checkpoint", output);  // refused before any reading if it holds a user's files
  model::XWamConfig config =
      fs::exists(config_name) ? model::XWamConfig::from_json_file(config_name) : model::XWamConfig::preset(config_name);
  const fs::path index = fs::path(dir) / "diffusion_pytorch_model.safetensors.index.json";
  const fs::path single = fs::path(dir) / "diffusion_pytorch_model.safetensors";
  std::string origin;
  io::TensorMap wan;
  if (fs::exists(index)) {
    origin = index.string();
    wan = io::read_sharded_safetensors(origin);
  } else if (fs::exists(single)) {
    origin = single.string();
    wan = io::read_safetensors(origin);
  } else {
    throw Error(dir, "no diffusion_pytorch_model.safetensors(.index.json): not a Wan2.2 model directory");
  }
  std::fprintf(stderr, "[init-from-wan] %zu tensors from %s\n", wan.size(), origin.c_str());

  // VAE and text encoder first, so a bad .pth fails before the large DiT is built. A part without
  // Wan2.2 weights starts fresh (the builtin text encoder always does) and is reported.
  torch::manual_seed(seed);
  io::TensorMap all;
  std::string parts = "DiT", fresh_parts;
  const fs::path vae_pth = fs::path(dir) / "Wan2.2_VAE.pth";
  if (fs::exists(vae_pth)) {
    all.merge(checked(model::VideoVae(config.vae), io::read_torch_checkpoint(vae_pth.string()), vae_pth.string(), "vae"));
    parts += ", VAE";
  } else {
    std::fprintf(stderr, "[init-from-wan] warning: no %s: the VAE starts at a fresh initialization\n", vae_pth.c_str());
    for (const auto& [name, t] : io::state_of(*model::VideoVae(config.vae))) all.emplace("vae." + name, t);
    fresh_parts += ", VAE";
  }
  const fs::path t5_pth = fs::path(dir) / "models_t5_umt5-xxl-enc-bf16.pth";
  if (config.text.kind == "umt5-xxl") {
    const fs::path spm = fs::absolute(fs::path(dir) / "google" / "umt5-xxl" / "spiece.model");
    if (!fs::exists(t5_pth)) throw Error(t5_pth.string(), "missing: the umt5-xxl text encoder's weights come from Wan2.2");
    if (!fs::exists(spm)) throw Error(spm.string(), "umT5 tokenizer missing (it comes with Wan2.2's google/umt5-xxl folder)");
    config.text.tokenizer = spm.string();  // the checkpoint points to the tokenizer in the Wan2.2 folder
    all.merge(checked(model::TextEncoder(config.text, config.dit.text_len), io::read_torch_checkpoint(t5_pth.string()),
                      t5_pth.string(), "text_encoder"));
    parts += ", umT5 text encoder";
  } else {
    for (const auto& [name, t] : io::state_of(*model::TextEncoder(config.text, config.dit.text_len)))
      all.emplace("text_encoder." + name, t);
    fresh_parts += ", " + config.text.kind + " text encoder";
  }

  model::XWamModel net(config);
  const auto fresh = model::init_from_wan(net, wan, origin);
  for (const auto& [name, t] : io::state_of(*net)) all.emplace("model." + name, t);
  const nlohmann::json source = {{"source", {{"format", "wan2.2"}, {"dir", fs::absolute(dir).string()}}}};
  model::write_checkpoint(target.path(), config, all, source.dump());
  const std::string moved = target.commit();
  if (!moved.empty()) std::fprintf(stderr, "[init-from-wan] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  std::printf("wrote %s: %s from Wan2.2, %d depth blocks copied, %zu new DiT tensors initialized%s%s\n", out.c_str(),
              parts.c_str(), config.depth_layers, fresh.size(), fresh_parts.empty() ? "" : "; fresh: ",
              fresh_parts.empty() ? "" : fresh_parts.substr(2).c_str());
  return 0;
}
