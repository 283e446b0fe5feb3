// A rollout compared with its recording — the one implementation every front uses (the studio,
// `xwam eval`, `xwam fuse`, `xwam compare`, `xwam rollout --video`), so the GUI and the CLI show
// the same numbers and pictures:
//   1. the recording brought to the rollout's image size (models predict at their own resolution;
//      metrics compare at that resolution: RGB bilinear, depth nearest, intrinsics scaled),
//   2. the evaluation (Evaluation.h) on that episode,
//   3. the 4D clouds: prediction and recording fused at the predicted frames, with each predicted
//      point's distance to the recorded cloud.
//
//   const Comparison c = compare_rollout(episode, read_rollout(dir));
//   std::puts(evaluation_json(c.report).c_str());
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/geometry/CloudSequence.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

// A copy of `episode` whose cameras that are rollout views have the view's size. Other cameras are
// kept as they are.
data::Episode episode_at_rollout_size(const data::Episode& episode, const Rollout& rollout);

// Throws xwam::Error naming the rollout's manifest when it names another episode than `episode`.
void check_rollout_episode(const Rollout& rollout, const data::Episode& episode);

// Metrics of the rollout against the recording at the rollout's size.
EvaluationReport evaluate_against_recording(const data::Episode& episode, const Rollout& rollout,
                                            const EvaluationOptions& options = {});

struct RolloutClouds {
  std::shared_ptr<const CloudSequence> predicted;  // with per-point errors when `recorded` is set
  std::shared_ptr<const CloudSequence> recorded;   // null when the episode lacks depth for a used camera
};

// The predicted frames fused (`cameras`: empty = every view) and, where the episode has depth for
// each camera used, the recorded frames at the same times with the predicted points' errors.
// Throws xwam::Error (from fusion) naming the camera when a view has no depth or calibration.
RolloutClouds fuse_with_errors(const data::Episode& episode, const Rollout& rollout, const FusionOptions& options = {},
                               const std::vector<std::string>& cameras = {});

struct Comparison {
  std::shared_ptr<const EvaluationReport> report;  // null when evaluation failed or nothing to compare
  std::string evaluation_error;
  RolloutClouds clouds;                            // null when fusion failed or the rollout has no depth
  std::string cloud_error;
};

// Evaluation and fusion together; each part's failure is reported in its error text, the other part
// still runs (a rollout without depth still has RGB metrics). Rollouts without views (Fast-WAM) have
// neither.
Comparison compare_rollout(const data::Episode& episode, const Rollout& rollout, const EvaluationOptions& evaluation = {},
                           const FusionOptions& fusion = {});

}  // namespace xwam::geometry
