// `xwam init-from-wan`: an X-WAM checkpoint from a downloaded Wan2.2-TI2V-5B directory (DiT weights
// loaded as they are, depth branch copied from the last M blocks, new X-WAM parts initialized).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/cli/Command.h"
#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/model/WanInit.h"

using namespace xwam;
namespace fs = std::filesystem;

XWAM_COMMAND(init_from_wan, "Build an X-WAM checkpoint (DiT part) from Wan2.2 weights",
             "xwam init-from-wan --wan-dir DIR --config wan2.2-ti2v-5b|FILE.json --out CKPT_DIR [--seed S]\n"
             "  DIR holds diffusion_pytorch_model.safetensors.index.json (+ shards) or diffusion_pytorch_model.safetensors.\n"
             "  Writes CKPT_DIR/model.safetensors and CKPT_DIR/config.json. The VAE and text encoder are not\n"
             "  converted yet. The 5B preset is built in float32: plan for about 30 GB of memory.",
             {}) {
  const std::string dir = args.require("wan-dir");
  const std::string config_name = args.require("config");
  const std::string out = args.require("out");
  const int64_t seed = args.get_int("seed", 0);
  args.check_all_used();
  const model::XWamConfig config =
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
  torch::manual_seed(seed);
  model::XWamModel net(config);
  const auto fresh = model::init_from_wan(net, wan, origin);
  fs::create_directories(out);
  io::write_safetensors((fs::path(out) / "model.safetensors").string(), io::state_of(*net),
                        {{"format", "xwam"}, {"config", config.name}, {"init", "wan2.2"}});
  AtomicFile cfg((fs::path(out) / "config.json").string());
  {
    std::ofstream f(cfg.temp_path());
    f << config.to_json() << "\n";
  }
  cfg.commit();
  std::printf("wrote %s: DiT from Wan2.2, %d depth blocks copied, %zu new tensors initialized\n", out.c_str(),
              config.depth_layers, fresh.size());
  return 0;
}
