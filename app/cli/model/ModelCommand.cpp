// `xwam model`: the size of a configuration — parameters per part and the tokens of one sample —
// computed from the config alone, so even the 5B preset answers instantly.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/model/MemoryPlan.h"
#include "engine/model/TextEncoder.h"
#include "engine/model/VideoVae.h"
#include "engine/model/XWamModel.h"

using namespace xwam;

XWAM_COMMAND(model, "Parameter counts per part and token counts of a model configuration",
             "xwam model --config tiny|demo|wan2.2-ti2v-5b|FILE.json [--memory [--dtype bfloat16|float16|float32] "
             "[--guidance]] [--json]",
             {"json", "memory", "guidance"}) {
  const std::string name = args.require("config");
  const bool as_json = args.flag("json"), memory = args.flag("memory"), guidance = args.flag("guidance");
  const auto dtype = model::dtype_from_string(args.get("dtype", "bfloat16"));
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
  const auto gb = [](int64_t bytes) { return double(bytes) / (1024.0 * 1024.0 * 1024.0); };
  model::MemoryPlan plan;
  if (memory) {
    plan = model::plan_rollout_memory(c, dtype, guidance);
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& s : plan.stages)
      stages.push_back({{"stage", s.stage}, {"weight_bytes", s.weight_bytes}, {"activation_bytes", s.activation_bytes},
                        {"total_bytes", s.total()}});
    out["memory"] = {{"dtype", model::dtype_name(dtype)}, {"guidance", guidance}, {"network_bytes", plan.network_bytes},
                     {"vae_bytes", plan.vae_bytes}, {"text_device_bytes", plan.text_device_bytes},
                     {"text_host_bytes", plan.text_host_bytes}, {"stages", stages}, {"peak_bytes", plan.peak_bytes()}};
  }
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
  if (memory) {
    std::printf("  memory      %s network %.2f GiB, VAE %.2f GiB (float32), text encoder %.2f GiB on the device, "
                "%.2f GiB on the host\n",
                model::dtype_name(dtype).c_str(), gb(plan.network_bytes), gb(plan.vae_bytes), gb(plan.text_device_bytes),
                gb(plan.text_host_bytes));
    for (const auto& s : plan.stages)
      std::printf("    %-8s weights %6.2f GiB + activations %6.2f GiB = %6.2f GiB\n", s.stage.c_str(),
                  gb(s.weight_bytes), gb(s.activation_bytes), gb(s.total()));
    std::printf("    peak     %.2f GiB on the device\n", gb(plan.peak_bytes()));
  }
  return 0;
}
