#include "engine/pipeline/TaskSettings.h"

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/core/RegularFile.h"

namespace xwam::pipeline {
using nlohmann::json;

namespace {
template <typename T>
void take(const json& j, const char* key, T& out, const std::string& origin) {
  json_fields::take(j, key, out, origin, "task.");
}
}  // namespace

TaskSettings TaskSettings::from_json_text(const std::string& text, const std::string& origin) {
  const json j = json_fields::parse(text, origin);
  TaskSettings s;
  if (!j.contains("model")) throw Error(origin, "key model", "missing: a preset name or a model config object");
  const json& m = j.at("model");
  s.model = m.is_string() ? model::XWamConfig::preset(m.get<std::string>())
                          : model::XWamConfig::from_json_text(m.dump(), origin + " (model)");
  if (!j.contains("task")) return s;
  const json& t = j.at("task");
  static const char* known[] = {"kind", "timesteps", "clean_action_probability", "beta_alpha", "shift", "text_dropout",
                                "loss_weights", "kl_weight", "cameras", "crop_scale", "clip_stride", "holdout_every",
                                "gradient_checkpointing", "normalize_latents"};
  for (const auto& [key, value] : t.items())
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      throw Error(origin, "key task." + key, "unknown task setting");
  std::string kind = "xwam", scheme = "ans";
  take(t, "kind", kind, origin);
  if (kind == "xwam") s.kind = TaskKind::XWam;
  else if (kind == "vae") s.kind = TaskKind::Vae;
  else throw Error(origin, "key task.kind", "must be xwam or vae, not '" + kind + "'");
  take(t, "timesteps", scheme, origin);
  try {
    s.timesteps.scheme = train::timestep_scheme_from_string(scheme);
  } catch (const Error& e) {
    throw Error(origin, "key task.timesteps", e.message());
  }
  take(t, "clean_action_probability", s.timesteps.clean_action_probability, origin);
  take(t, "beta_alpha", s.timesteps.beta_alpha, origin);
  take(t, "shift", s.timesteps.shift, origin);
  take(t, "text_dropout", s.text_dropout, origin);
  take(t, "kl_weight", s.kl_weight, origin);
  take(t, "cameras", s.cameras, origin);
  take(t, "crop_scale", s.crop_scale, origin);
  take(t, "holdout_every", s.holdout_every, origin);
  take(t, "clip_stride", s.clip_stride, origin);
  take(t, "gradient_checkpointing", s.gradient_checkpointing, origin);
  take(t, "normalize_latents", s.normalize_latents, origin);
  if (s.normalize_latents && s.kind != TaskKind::XWam)
    throw Error(origin, "key task.normalize_latents", "applies to X-WAM training (kind xwam) only");
  if (s.clip_stride < 1) throw Error(origin, "key task.clip_stride", "must be at least 1");
  if (t.contains("loss_weights")) {
    const json& w = t.at("loss_weights");
    take(w, "video", s.loss_weights.video, origin);
    take(w, "state", s.loss_weights.state, origin);
    take(w, "action", s.loss_weights.action, origin);
    take(w, "depth", s.loss_weights.depth, origin);
  }
  if (s.crop_scale <= 0 || s.crop_scale > 1) throw Error(origin, "key task.crop_scale", "must lie in (0, 1]");
  if (s.text_dropout < 0 || s.text_dropout > 1) throw Error(origin, "key task.text_dropout", "must lie in [0, 1]");
  return s;
}

TaskSettings TaskSettings::from_json_file(const std::string& path) {
  return from_json_text(read_regular_file(path, json_fields::kMaxFileBytes, "training config"), path);
}

std::string norm_stats_to_json(const data::NormStats& s) {
  json j = {{"state_q01", s.state_q01}, {"state_q99", s.state_q99}, {"action_q01", s.action_q01},
            {"action_q99", s.action_q99}, {"num_samples", s.num_samples}};
  return j.dump();
}

data::NormStats norm_stats_from_json(const std::string& text, const std::string& origin) {
  data::NormStats s;
  try {
    const json j = json::parse(text);
    s.state_q01 = j.at("state_q01").get<decltype(s.state_q01)>();
    s.state_q99 = j.at("state_q99").get<decltype(s.state_q99)>();
    s.action_q01 = j.at("action_q01").get<decltype(s.action_q01)>();
    s.action_q99 = j.at("action_q99").get<decltype(s.action_q99)>();
    s.num_samples = j.value("num_samples", 0LL);
  } catch (const std::exception& e) {
    throw Error(origin, "key norm_stats", std::string("missing or malformed: ") + e.what());
  }
  s.check_finite(origin);
  return s;
}

}  // namespace xwam::pipeline
