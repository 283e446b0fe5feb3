// The two training tasks of `xwam train` (train::TrainTask implementations):
// - XWamTrainTask: the X-WAM objective. Frozen VAE encodes RGB and depth; ANS (or an ablation)
//   draws per-sample video/action timesteps; flow-matching velocity losses for video, state and
//   action, plain MSE for the depth branch's clean-latent regression (method.md, "Losses").
// - VaeTrainTask: the video VAE alone (reconstruction of RGB and depth pseudo-RGB + a small KL), for
//   configs that bring no pretrained VAE (tiny, demo).
// Both save our checkpoint format (model/Checkpoint.h) with the normalization statistics and the
// camera order, so any saved step is a checkpoint for `xwam rollout`.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/model/Checkpoint.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/TaskSettings.h"
#include "engine/train/TrainTask.h"

namespace xwam::pipeline {

// Everything a checkpoint carries besides tensors.
struct CheckpointMeta {
  data::NormStats stats;
  std::vector<std::string> cameras;  // episode camera of each model view
  std::string to_json() const;
  // norm_stats of the checkpoint's extra JSON, or for a released run those of its config.yaml
  // (dataset.statistics). Throws xwam::Error naming the checkpoint or the yaml when there are none.
  static CheckpointMeta from_json(const std::string& extra_json, const std::string& origin);
};

// What both tasks share: the three networks on one device, the settings, and saving/loading our
// checkpoint format with the normalization statistics and camera order.
class NetworksTask : public train::TrainTask {
 public:
  NetworksTask(model::XWamNetworks networks, TaskSettings settings, CheckpointMeta meta, torch::Device device);
  void save_weights(const std::string& dir) override;
  void load_weights(const std::string& dir) override;

 protected:
  model::XWamNetworks nets_;
  TaskSettings settings_;
  CheckpointMeta meta_;
  torch::Device device_;
};

// The VAE is frozen, so without augmentation a clip's latents never change: they are computed once
// per clip and kept (about 50 KB per clip at the demo size).
class XWamTrainTask : public NetworksTask {
 public:
  XWamTrainTask(model::XWamNetworks networks, TaskSettings settings, CheckpointMeta meta, torch::Device device);
  std::vector<torch::Tensor> parameters() override;
  train::LossTerms loss(const std::vector<data::Clip>& batch, uint64_t step_seed) override;
  void train_mode(bool on) override;

 private:
  struct Latents {
    torch::Tensor rgb, depth;  // [V, C, F', h, w]; depth undefined without depth
  };
  // Keyed by the clip's pixels (plus its name for readability): episodes of different files may
  // share names, and the same clip must always find its own latents.
  using ClipKey = std::tuple<std::string, int, size_t>;
  static ClipKey key_of(const data::Clip& clip);
  std::map<ClipKey, Latents> latent_cache_;
  // Latents of every clip of the batch ([B, V, C, F', h, w]), from the cache where possible.
  std::pair<torch::Tensor, torch::Tensor> clip_latents(const std::vector<data::Clip>& clips, const ClipBatch& b,
                                                       bool depth);
};

class VaeTrainTask : public NetworksTask {
 public:
  using NetworksTask::NetworksTask;
  std::vector<torch::Tensor> parameters() override;
  train::LossTerms loss(const std::vector<data::Clip>& batch, uint64_t step_seed) override;
  void train_mode(bool on) override;
};

// Loads `ckpt` into `networks` part by part: each of model / vae / text_encoder present in the file is
// loaded whole (all or nothing per part); returns the parts loaded. Used by `xwam train --init`.
std::vector<std::string> init_from_checkpoint(model::XWamNetworks& networks, const model::CheckpointData& ckpt);

// Video latents of every view: rgb [B, V, 3, F, H, W] → [B, V, C, F', h, w] (no gradient).
torch::Tensor encode_views(model::VideoVae& vae, const torch::Tensor& rgb);

}  // namespace xwam::pipeline
