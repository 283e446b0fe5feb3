#include "engine/jobs/TrainJobSpec.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"

namespace xwam::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string absolute(const std::string& path) { return path.empty() ? path : fs::absolute(path).lexically_normal().string(); }

// The same ranges `xwam train` enforces (engine/train/TrainConfig.cpp), checked before a job starts.
void check_range(double value, double lo, double hi, const char* key) {
  if (value >= lo && value <= hi) return;
  std::ostringstream what;
  what << "must lie in [" << lo << ", " << hi << "], found " << value;
  throw Error(std::string("training setting ") + key, what.str());
}
}  // namespace

json effective_config(const TrainJobSpec& spec) {
  if (spec.config_file.empty()) throw Error("training config", "choose a training config (JSON)");
  json root = json_fields::parse_file(spec.config_file, "training config");
  if (!root.is_object()) throw Error(spec.config_file, "not a JSON object");
  // Training keys sit under "train" or at the top level (xwam train accepts both layouts).
  const bool nested = root.contains("train");
  if (nested && !root.at("train").is_object()) throw Error(spec.config_file, "key train", "expected an object");
  json& train = nested ? root["train"] : root;
  if (spec.steps) {
    check_range(static_cast<double>(*spec.steps), 1, 1e10, "steps");
    train["steps"] = *spec.steps;
  }
  if (spec.lr) {
    check_range(*spec.lr, 1e-30, 1e3, "lr");
    train["lr"] = *spec.lr;
  }
  if (spec.batch_size) {
    check_range(static_cast<double>(*spec.batch_size), 1, 1 << 16, "batch_size");
    train["batch_size"] = *spec.batch_size;
  }
  return root;
}

std::string effective_config_text(const TrainJobSpec& spec) { return effective_config(spec).dump(2) + "\n"; }

std::vector<std::string> train_arguments(const TrainJobSpec& spec, const std::string& config_path) {
  std::vector<std::string> args{"train", "--config", config_path, "--data"};
  for (const auto& f : spec.episode_files) args.push_back(absolute(f));
  args.insert(args.end(), {"--out", absolute(spec.run_dir)});
  if (spec.resume) {
    args.push_back("--resume");
  } else if (!spec.init_checkpoint.empty()) {
    args.insert(args.end(), {"--init", absolute(spec.init_checkpoint)});
    if (!spec.wan_dir.empty()) args.insert(args.end(), {"--wan-dir", absolute(spec.wan_dir)});
  }
  args.insert(args.end(), spec.extra_args.begin(), spec.extra_args.end());
  return args;
}

std::string prepare_run(const TrainJobSpec& spec) {
  const std::string config = effective_config_text(spec);
  if (spec.episode_files.empty()) throw Error("episode files", "add at least one episode file");
  if (spec.run_dir.empty()) throw Error("run directory", "choose a run directory");
  if (spec.program.empty() || ::access(spec.program.c_str(), X_OK) != 0)
    throw Error(spec.program.empty() ? "xwam program" : spec.program, "no executable xwam program there");
  std::error_code ec;
  fs::create_directories(spec.run_dir, ec);
  if (!fs::is_directory(spec.run_dir)) throw Error(spec.run_dir, "cannot create the run directory: " + ec.message());
  const std::string path = (fs::path(absolute(spec.run_dir)) / kJobConfigName).string();
  AtomicFile out(path);
  {
    std::ofstream file(out.temp_path(), std::ios::binary);
    file << config;
    if (!file.flush()) throw Error(path, "cannot write the training config");
  }
  out.commit();
  return path;
}

}  // namespace xwam::jobs
