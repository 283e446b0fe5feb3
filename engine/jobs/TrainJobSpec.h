// A training job as data: what `xwam train` is asked to do, from which the effective config, the
// argument list and the shell/Slurm scripts are derived. Front ends (the fine-tune dialog, `xwam train
// --write-script`) fill one and call the functions here, so both produce the same job.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace xwam::jobs {

struct TrainJobSpec {
  std::string program;                     // the xwam executable
  std::vector<std::string> episode_files;  // --data
  std::string init_checkpoint;             // --init; empty: the config's fresh weights
  std::string wan_dir;                     // --wan-dir, passed with --init only
  std::string config_file;                 // training config JSON: {"model", "task", "train"}
  std::optional<int64_t> steps;            // overrides of the config's "train" settings
  std::optional<double> lr;
  std::optional<int64_t> batch_size;
  std::string run_dir;                     // --out; checkpoints and logs
  bool resume = false;                     // --resume (then --init is not passed)
  std::vector<std::string> extra_args;     // appended to `xwam train` (e.g. --threads 4)
};

// Name of the effective config inside the run directory: the run documents itself.
constexpr const char* kJobConfigName = "studio-config.json";

// The config file with the spec's overrides written in (under "train" when the file has that key, else
// at the top level, as `xwam train` reads both). Throws xwam::Error naming the file and key: no config
// chosen, unreadable, not a JSON object, "train" not an object, an override out of range.
nlohmann::json effective_config(const TrainJobSpec& spec);
// The effective config as the text written to the run directory and embedded in scripts.
std::string effective_config_text(const TrainJobSpec& spec);

// `xwam train` arguments (without the program) for the effective config written at `config_path`.
// Paths are made absolute, so what the job reports does not depend on its working directory.
std::vector<std::string> train_arguments(const TrainJobSpec& spec, const std::string& config_path);

// Checks the inputs a launch needs (config, episode files, run directory, program), creates the run
// directory and writes the effective config there atomically; returns its path. Throws xwam::Error.
std::string prepare_run(const TrainJobSpec& spec);

}  // namespace xwam::jobs
