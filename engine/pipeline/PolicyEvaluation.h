// Scoring a checkpoint the way the paper does, on held-out episodes: open-loop predictions against
// the recorded future (RGB/depth/cloud metrics vs "repeat the last frame", actions vs "zero action")
// and closed-loop task success in the synthetic simulator with actions executed chunk by chunk.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "engine/data/synthetic/ClosedLoop.h"
#include "engine/geometry/Evaluation.h"
#include "engine/pipeline/Rollout.h"

namespace xwam::pipeline {

// The X-WAM policy for the simulator: each call is a policy call (action chunk only) of `mode`.
class XWamPolicy : public data::synthetic::Policy {
 public:
  XWamPolicy(Predictor& predictor, RolloutRequest request, int execute = 0);
  std::string name() const override { return std::string("xwam:") + mode_name(request_.mode); }
  std::vector<data::synthetic::Action> act(const data::Episode& now) override;

 private:
  Predictor& predictor_;
  RolloutRequest request_;
  int execute_;
};

struct OpenLoopScores {
  geometry::Metrics prediction, copy_last;  // means over every evaluated rollout
  double action_ms = 0, video_ms = 0;       // medians
  int rollouts = 0;
};

// Rollouts of `request` from each of `starts` in every episode of `file`, evaluated against the
// recording. `progress` gets one event per rollout.
OpenLoopScores evaluate_open_loop(Predictor& predictor, const std::string& file, const RolloutRequest& request,
                                  const std::vector<int>& starts, const ProgressFn& progress = {},
                                  const CancelToken* cancel = nullptr);

}  // namespace xwam::pipeline
