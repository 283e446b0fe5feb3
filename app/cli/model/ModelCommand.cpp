// `xwam model`: the size of a configuration — parameters per part and the tokens of one sample —
// computed from the config alone, so even the 5B preset answers instantly.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/model/TextEncoder.h"
#include "engine/model/VideoVae.h"
#include "engine/model/XWamModel.h"

using namespace xwam;

XWAM_COMMAND(model, "Parameter counts per part and token counts of a model configuration",
             "xwam model --config tiny|demo|wan2.2-ti2v-5b|FILE.json [--json]", {"json"}) {
  const std::string name = args.require("config");
  const bool as_json = args.flag("json");
  args.check_all_used();
  const model::XWamConfig c =
      std::filesystem::exists(name) ? model::XWamConfig::from_json_file(name) : model::XWamConfig::preset(name);
  const model::ParameterCounts p = model::count_parameters(c);
  // The VAE is built on the meta device (shapes only); umT5 is counted from its numbers, the small
  // built-in encoder by building it.
  int64_t vae = 0, text = 0;
  for (const auto& t : model::VideoVae(c.vae, torch::kMeta)->parameters()) vae += t.numel();
  if (c.text.kind == "umt5-xxl") {
    text = model::umt5_parameters(c.text);
  } else {
    for (const auto& t : model::TextEncoder(c.text, c.dit.text_len)->parameters()) text += t.numel();
  }
  nlohmann::json out = {
      {"config", c.name},
      {"parameters", {{"dit", p.dit}, {"depth_branch", p.depth_branch}, {"xwam_heads", p.xwam_heads},
                      {"vae", vae}, {"text_encoder", text}, {"total", p.total() + vae + text}}},
      {"tokens", {{"video", c.video_tokens()}, {"condition", c.condition_tokens()}, {"actions", c.num_actions},
                  {"states", c.num_states}, {"total", c.tokens()}}},
      {"layers", {{"blocks", c.dit.num_layers}, {"depth_blocks", c.depth_layers}}},
      {"dim", c.dit.dim},
      {"heads", c.dit.num_heads}};
  if (as_json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s: dim %d, %d heads, %d blocks (+%d depth blocks)\n", c.name.c_str(), c.dit.dim, c.dit.num_heads,
              c.dit.num_layers, c.depth_layers);
  std::printf("  parameters  DiT %lld, depth branch %lld, X-WAM heads %lld (network %lld); VAE %lld, text encoder %lld (%s)\n",
              static_cast<long long>(p.dit), static_cast<long long>(p.depth_branch), static_cast<long long>(p.xwam_heads),
              static_cast<long long>(p.total()), static_cast<long long>(vae), static_cast<long long>(text),
              c.text.kind.c_str());
  std::printf("  tokens      video %d (condition %d), actions %d, states %d, total %d\n", c.video_tokens(),
              c.condition_tokens(), c.num_actions, c.num_states, c.tokens());
  return 0;
}
