#include "engine/train/TrainConfig.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/core/RegularFile.h"

namespace xwam::train {
using nlohmann::json;
using json_fields::take;

TrainConfig TrainConfig::from_json_text(const std::string& text, const std::string& origin) {
  const json j = json_fields::parse(text, origin);
  if (!j.is_object()) throw Error(origin, "expected a JSON object");
  // Training settings may sit under "train" beside a model config; accept both layouts.
  const json& t = j.contains("train") ? j.at("train") : j;
  static const char* known[] = {"steps", "lr", "warmup_steps", "final_lr", "weight_decay", "beta1", "beta2", "eps",
                                "grad_clip", "grad_accumulation", "ema_decay", "batch_size", "checkpoint_every",
                                "eval_every", "log_every", "keep_checkpoints", "seed"};
  for (const auto& [key, value] : t.items()) {
    if (&t == &j && (key == "model" || key == "data" || key == "name" || key == "task")) continue;
    if (std::find(std::begin(known), std::end(known), key) == std::end(known))
      throw Error(origin, "key " + key, "unknown training setting");
  }
  TrainConfig c;
  take(t, "steps", c.steps, origin);
  take(t, "lr", c.lr, origin);
  take(t, "warmup_steps", c.warmup_steps, origin);
  take(t, "final_lr", c.final_lr, origin);
  take(t, "weight_decay", c.weight_decay, origin);
  take(t, "beta1", c.beta1, origin);
  take(t, "beta2", c.beta2, origin);
  take(t, "eps", c.eps, origin);
  take(t, "grad_clip", c.grad_clip, origin);
  take(t, "grad_accumulation", c.grad_accumulation, origin);
  take(t, "ema_decay", c.ema_decay, origin);
  take(t, "batch_size", c.batch_size, origin);
  take(t, "checkpoint_every", c.checkpoint_every, origin);
  take(t, "eval_every", c.eval_every, origin);
  take(t, "log_every", c.log_every, origin);
  take(t, "keep_checkpoints", c.keep_checkpoints, origin);
  take(t, "seed", c.seed, origin);
  // Every field in its range (NaN refused too): a loop count or batch of billions is a typo, not a run.
  auto range = [&](double value, double lo, double hi, const char* key) {
    if (!(value >= lo && value <= hi)) {
      std::ostringstream what;
      what << "must lie in [" << lo << ", " << hi << "], found " << value;
      throw Error(origin, std::string("key ") + key, what.str());
    }
  };
  range(static_cast<double>(c.steps), 1, 1e10, "steps");
  range(c.lr, 1e-30, 1e3, "lr");
  range(static_cast<double>(c.warmup_steps), 0, 1e10, "warmup_steps");
  range(c.final_lr, 0, 1e3, "final_lr");
  range(c.weight_decay, 0, 1e3, "weight_decay");
  range(c.beta1, 0, 1, "beta1");
  range(c.beta2, 0, 1, "beta2");
  range(c.eps, 0, 1, "eps");
  range(c.grad_clip, 0, 1e9, "grad_clip");
  range(c.grad_accumulation, 1, 1 << 16, "grad_accumulation");
  range(c.ema_decay, 0, 1, "ema_decay");
  range(c.batch_size, 1, 1 << 16, "batch_size");
  range(static_cast<double>(c.checkpoint_every), 0, 1e10, "checkpoint_every");
  range(static_cast<double>(c.eval_every), 0, 1e10, "eval_every");
  range(static_cast<double>(c.log_every), 0, 1e10, "log_every");
  range(c.keep_checkpoints, 0, 1 << 20, "keep_checkpoints");
  return c;
}

TrainConfig TrainConfig::from_json_file(const std::string& path) {
  return from_json_text(read_regular_file(path, json_fields::kMaxFileBytes, "training config"), path);
}

std::string TrainConfig::to_json() const {
  json j = {{"steps", steps}, {"lr", lr}, {"warmup_steps", warmup_steps}, {"final_lr", final_lr},
            {"weight_decay", weight_decay}, {"beta1", beta1}, {"beta2", beta2}, {"eps", eps},
            {"grad_clip", grad_clip}, {"grad_accumulation", grad_accumulation}, {"ema_decay", ema_decay},
            {"batch_size", batch_size}, {"checkpoint_every", checkpoint_every}, {"eval_every", eval_every},
            {"log_every", log_every}, {"keep_checkpoints", keep_checkpoints}, {"seed", seed}};
  return j.dump(2);
}

}  // namespace xwam::train
