// What-if, side by side: two rollouts of the same scene and start frame (A and B — another
// instruction, checkpoint, mode, seed or edited actions) each measured against the recording, and the
// difference A − B. The studio's comparison view and `xwam compare --rollout A --rollout B` use this.
//
//   const WhatIfComparison w = compare_what_if(episode, a, b);
//   std::puts(what_if_json(w).c_str());           // {"a": {...}, "b": {...}, "a_minus_b": {...}}
#pragma once
#include <string>

#include "engine/data/Episode.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

struct WhatIfComparison {
  EvaluationReport a, b;  // each against the recording
  Metrics a_minus_b;      // of the means; NaN where either is not available or both are +inf
  std::vector<Metrics> frames_a_minus_b;  // per predicted frame
};

// Throws xwam::Error naming B's manifest when B does not start where A does (start frame, predicted
// frames, cameras): only then do the two futures stand side by side.
void check_same_start(const Rollout& a, const Rollout& b);

// a − b per metric (NaN when either is NaN, or when they are equal infinities).
Metrics metrics_difference(const Metrics& a, const Metrics& b);

// Both reports and their differences.
WhatIfComparison what_if_from_reports(EvaluationReport a, EvaluationReport b);
// Checks (check_rollout_episode, check_same_start), then evaluates both against the recording.
WhatIfComparison compare_what_if(const data::Episode& episode, const Rollout& a, const Rollout& b);

// {"a": evaluation_json(A), "b": evaluation_json(B), "a_minus_b": {averages, "frames": [...]}}.
std::string what_if_json(const WhatIfComparison& comparison, int indent = 2);

}  // namespace xwam::geometry
