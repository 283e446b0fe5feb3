// Hyper-parameters of a training run; read from and written to JSON (the run directory keeps a copy).
#pragma once
#include <cstdint>
#include <string>

namespace xwam::train {

struct TrainConfig {
  int64_t steps = 1000;
  double lr = 1e-4;
  int64_t warmup_steps = 100;
  double final_lr = 0.0;
  double weight_decay = 0.01;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double grad_clip = 1.0;     // max global grad norm; 0 = off
  int grad_accumulation = 1;  // micro-batches per optimizer step
  double ema_decay = 0.0;     // 0 = no EMA of weights
  int batch_size = 4;         // clips per micro-batch per rank
  int64_t checkpoint_every = 500;
  int64_t eval_every = 0;     // 0 = only at the end
  int64_t log_every = 10;
  int keep_checkpoints = 2;   // newest kept; older ones are deleted once a newer one is complete
  uint64_t seed = 0;

  // Throws xwam::Error naming the file and the key for unknown keys or wrong types.
  static TrainConfig from_json_file(const std::string& path);
  static TrainConfig from_json_text(const std::string& text, const std::string& origin);
  std::string to_json() const;
};

}  // namespace xwam::train
