// What a training run trains, read from the run's JSON file beside the optimizer settings:
//   {"model": "demo" | {"base": "demo", ...},
//    "task": {"kind": "xwam" | "vae", "timesteps": "ans", "clean_action_probability": 0.5, "shift": 5,
//             "text_dropout": 0.1, "loss_weights": {"video": 1, "state": 1, "action": 1, "depth": 1},
//             "cameras": ["main", "side", "wrist0"], "crop_scale": 0.95, "clip_stride": 1,
//             "holdout_every": 10, "gradient_checkpointing": false, "normalize_latents": false},
//    "train": {TrainConfig keys}}
#pragma once
#include <string>
#include <vector>

#include "engine/data/NormStats.h"
#include "engine/model/ModelConfig.h"
#include "engine/train/TimestepSampler.h"

namespace xwam::pipeline {

enum class TaskKind { XWam, Vae };

struct LossWeights {
  double video = 1, state = 1, action = 1, depth = 1;
};

struct TaskSettings {
  TaskKind kind = TaskKind::XWam;
  model::XWamConfig model = model::XWamConfig::preset("demo");
  train::TimestepSamplerOptions timesteps;
  double text_dropout = 0.1;     // share of samples trained with the empty instruction (for CFG)
  LossWeights loss_weights;
  double kl_weight = 1e-6;       // VAE task: weight of the KL term
  std::vector<std::string> cameras;  // episode cameras in model view order; empty = the data's first views
  double crop_scale = 1.0;       // < 1: random crop per clip (augmentation)
  int clip_stride = 1;           // clips start every n-th episode frame
  int holdout_every = 0;         // every n-th episode held out for evaluation (0 = none)
  bool gradient_checkpointing = false;  // recompute DiT blocks in the backward pass (less GPU memory)
  // Normalize the frozen VAE's latents per channel with statistics taken from the training data when
  // the model config has none (a VAE trained here); they are stored in the checkpoint's config.
  bool normalize_latents = false;

  // Throws xwam::Error naming the file and key.
  static TaskSettings from_json_text(const std::string& text, const std::string& origin);
  static TaskSettings from_json_file(const std::string& path);
};

// Normalization statistics as stored in checkpoints ({"state_q01": [...], ...}).
std::string norm_stats_to_json(const data::NormStats& stats);
data::NormStats norm_stats_from_json(const std::string& json_text, const std::string& origin);

}  // namespace xwam::pipeline
