// Rollouts: a loaded checkpoint (Predictor) turns an episode frame + instruction into predicted
// actions, states, multi-view RGB and depth, action first. Front ends use the torch-free façade over
// it (Engine.h); benchmarks and evaluation use it directly.
//
//   Predictor predictor = Predictor::load("assets/checkpoints/demo", torch::kCPU);
//   RolloutRequest req;  req.mode = Mode::XWam;  req.start_frame = 12;
//   RolloutEvents ev;    ev.on_action_ready = [](const ActionChunk& a) { plot(a.actions); };
//   RolloutResult r = predictor.run(episode, req, ev, &cancel);   // r.rollout → write_rollout(dir, ...)
// Thread safety: one run at a time per Predictor; events fire on the calling thread.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/geometry/Rollout.h"
#include "engine/model/Checkpoint.h"
#include "engine/pipeline/api/RolloutTypes.h"
#include "engine/pipeline/TrainTasks.h"

namespace xwam::pipeline {

class Predictor {
 public:
  // Reads and loads a checkpoint (ours or a released X-WAM layout). `wan_dir`: the Wan2.2 folder
  // holding the umT5 tokenizer a released run lacks (model::read_checkpoint). Throws xwam::Error naming it.
  // `dtype`: the network's weights (pipeline::default_dtype(device) when unset; see model::Placement
  // for what stays float32 and where the text encoder lives).
  static Predictor load(const std::string& checkpoint, torch::Device device = torch::kCPU,
                        const std::string& wan_dir = "", std::optional<torch::ScalarType> dtype = std::nullopt);
  Predictor(model::XWamNetworks networks, model::XWamConfig config, CheckpointMeta meta, torch::Device device,
            std::string origin);

  // Checks the request against the episode and the checkpoint before any compute (missing camera,
  // start frame out of range, unknown mode, wrong action count): throws xwam::Error naming what.
  void check(const data::Episode& episode, const RolloutRequest& request) const;
  // Runs one rollout. Throws xwam::Cancelled between network calls when `cancel` is set.
  RolloutResult run(const data::Episode& episode, const RolloutRequest& request, const RolloutEvents& events = {},
                    const CancelToken* cancel = nullptr);

  const model::XWamConfig& config() const { return config_; }
  const CheckpointMeta& meta() const { return meta_; }
  const std::string& origin() const { return origin_; }
  const torch::Device& device() const { return device_; }
  model::XWamNetworks& networks() { return nets_; }
  torch::ScalarType dtype() const;
  // The episode cameras used as model views (the checkpoint's, else the episode's first ones).
  std::vector<std::string> cameras_for(const data::Episode& episode) const;
  // The text context of an instruction [1, text_len, text_dim] on the device, encoded once per
  // instruction and kept for the session; umT5-xxl contexts also on disk next to the checkpoint
  // (TextContextCache), for the next session.
  const torch::Tensor& text_context(const std::string& instruction);

 private:
  model::XWamNetworks nets_;
  model::XWamConfig config_;
  CheckpointMeta meta_;
  torch::Device device_;
  std::string origin_;
  std::map<std::string, torch::Tensor> text_contexts_;
};

}  // namespace xwam::pipeline
