// What `xwam train` reports, one JSON object per stdout line (engine/train/Trainer.h to_json_line), as
// typed events for a front end: a logged step, a held-out evaluation, a checkpoint written, or a line
// that is not a report (shown as log text).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace xwam::jobs {

struct TrainEvent {
  enum class Kind { Step, Eval, Checkpoint, Text };
  Kind kind = Kind::Text;
  int64_t step = 0;         // every kind but Text
  int64_t total_steps = 0;  // 0 when the line did not say
  // Step:
  double loss = 0;
  std::map<std::string, double> loss_parts;  // "video", "state", "action", "depth" (from loss_<part>)
  double lr = 0, grad_norm = 0, samples_per_s = 0;
  double eta_s = -1;  // -1 when unknown
  // Eval:
  double eval_loss = 0;
  // Checkpoint: the trainer's checkpoint folder as printed (RUN/checkpoints/step_N).
  std::string checkpoint;
  // Text: the line itself, without its newline.
  std::string text;
};

// Parses one stdout line (without its newline). Never throws: anything that is not a report object
// (not JSON, not an object, no step) comes back as Kind::Text; a field of the wrong type keeps its default.
TrainEvent parse_train_line(std::string_view line);

// The model checkpoint inside a trainer checkpoint folder (its weights/ subfolder when present), as an
// absolute path: what `xwam rollout --checkpoint` and the studio's Run panel take.
std::string model_checkpoint_dir(const std::string& trainer_checkpoint);

}  // namespace xwam::jobs
