#include "engine/jobs/TrainEvent.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/core/JsonFields.h"

namespace xwam::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
double number(const json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

int64_t integer(const json& j, const char* key, int64_t fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
}  // namespace

TrainEvent parse_train_line(std::string_view line) {
  TrainEvent event;
  event.text = std::string(line);
  // A hostile line nesting thousands deep is text, not a report (checked before parsing).
  try {
    json_fields::check_nesting(line.data(), line.size(), json_fields::kMaxDepth, "progress line");
  } catch (const Error&) {
    return event;
  }
  const json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("step") || !j.at("step").is_number_integer()) return event;
  event.step = j.at("step").get<int64_t>();
  event.total_steps = integer(j, "total_steps", 0);
  if (j.contains("checkpoint") && j.at("checkpoint").is_string()) {
    event.kind = TrainEvent::Kind::Checkpoint;
    event.checkpoint = j.at("checkpoint").get<std::string>();
  } else if (j.contains("eval_loss")) {
    event.kind = TrainEvent::Kind::Eval;
    event.eval_loss = number(j, "eval_loss", 0);
  } else if (j.contains("loss")) {
    event.kind = TrainEvent::Kind::Step;
    event.loss = number(j, "loss", 0);
    for (const auto& [key, value] : j.items())
      if (key.rfind("loss_", 0) == 0 && value.is_number()) event.loss_parts[key.substr(5)] = value.get<double>();
    event.lr = number(j, "lr", 0);
    event.grad_norm = number(j, "grad_norm", 0);
    event.samples_per_s = number(j, "samples_per_s", 0);
    event.eta_s = number(j, "eta_s", -1);
  } else {
    return event;
  }
  event.text.clear();
  return event;
}

std::string model_checkpoint_dir(const std::string& trainer_checkpoint) {
  const fs::path dir = fs::absolute(trainer_checkpoint).lexically_normal();
  std::error_code ec;
  return fs::is_directory(dir / "weights", ec) ? (dir / "weights").string() : dir.string();
}

}  // namespace xwam::jobs
