// The training loop: AdamW with warm-up + cosine, gradient accumulation and clipping, optional EMA,
// data parallel averaging, atomic resumable checkpoints and JSON progress.
//
// Run directory (claimed with claim_run_folder: a user's folder is never written over):
//   RUN/config.json                      the TrainConfig used
//   RUN/progress.jsonl                   one JSON object per logged step / evaluation
//   RUN/checkpoints/step_00000500/       weights/ (the task's format), optimizer.pt, ema.pt, state.json
//   RUN/checkpoints/latest               name of the newest complete checkpoint (replaced atomically)
// A checkpoint is written under a temporary name and renamed when complete, so a crash or kill while
// saving leaves the previous one intact. Resuming continues exactly: N steps, resume, M steps gives the
// same weights and losses as N + M steps straight.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "engine/core/Progress.h"
#include "engine/data/ClipLoader.h"
#include "engine/train/DataParallel.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainTask.h"

namespace xwam::train {

struct StepReport {
  int64_t step = 0, total_steps = 0;
  double loss = 0;
  std::map<std::string, double> parts;
  double lr = 0, grad_norm = 0, samples_per_s = 0, eta_s = 0;
  std::optional<double> eval_loss;  // set on evaluation reports
  std::string checkpoint;           // set when a checkpoint was just written
};

// One report as the JSON object of progress.jsonl (and of `xwam train`'s stdout), without newline.
std::string to_json_line(const StepReport& report);

struct TrainerHooks {
  std::function<void(const StepReport&)> on_report;  // logged steps, evaluations and checkpoints
};

class Trainer {
 public:
  Trainer(TrainConfig config, std::string run_dir, DataParallel& parallel);

  // Trains until config.steps. With `resume` it continues from RUN/checkpoints/latest (and errors when
  // there is none). `eval` may be null. Throws xwam::Cancelled after saving when `cancel` is set.
  void run(TrainTask& task, data::ClipLoader& train, data::ClipLoader* eval, bool resume, const TrainerHooks& hooks,
           const CancelToken* cancel);

  // The newest complete checkpoint directory of a run, or "" when there is none.
  static std::string latest_checkpoint(const std::string& run_dir);

 private:
  TrainConfig config_;
  std::string run_dir_;
  DataParallel& parallel_;
};

}  // namespace xwam::train
