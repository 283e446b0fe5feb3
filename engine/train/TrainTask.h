// What the trainer trains: a model that turns a batch of clips into losses. The X-WAM network's
// task (VAE encoding, ANS timesteps, flow-matching losses) implements this; tests use small ones.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "engine/data/Clip.h"

namespace xwam::train {

struct LossTerms {
  torch::Tensor total;                          // scalar to minimize (already λ-weighted)
  std::map<std::string, double> parts;          // per-modality values for logging ("video", "action", ...)
};

class TrainTask {
 public:
  virtual ~TrainTask() = default;
  // Every trainable tensor, in a fixed order (the optimizer and data parallel rely on it).
  virtual std::vector<torch::Tensor> parameters() = 0;
  // Losses for one batch. `step_seed` seeds every random draw of this step (timesteps, noise, text
  // dropout), so a resumed run repeats exactly what a straight run does.
  virtual LossTerms loss(const std::vector<data::Clip>& batch, uint64_t step_seed) = 0;
  // Weights in and out (the task chooses the format; ours is safetensors + JSON config). `dir`
  // exists and is empty on save. Loading throws xwam::Error naming the file and tensor.
  virtual void save_weights(const std::string& dir) = 0;
  virtual void load_weights(const std::string& dir) = 0;
  virtual void train_mode(bool on) = 0;
};

}  // namespace xwam::train
