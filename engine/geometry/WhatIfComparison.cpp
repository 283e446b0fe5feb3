#include "engine/geometry/WhatIfComparison.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/geometry/Comparison.h"

namespace xwam::geometry {

void check_same_start(const Rollout& a, const Rollout& b) {
  const std::string where = b.dir.empty() ? std::string("rollout B") : b.dir + "/manifest.json";
  if (a.start_frame != b.start_frame)
    throw Error(where, "starts at frame " + std::to_string(b.start_frame) + ", rollout A at frame " +
                           std::to_string(a.start_frame) + ": what-if runs compare from the same start frame");
  if (a.frame_indices != b.frame_indices)
    throw Error(where, "predicts other frames than rollout A (" + std::to_string(b.num_frames()) + " vs " +
                           std::to_string(a.num_frames()) + " frames, or other episode steps)");
  if (a.views.size() != b.views.size())
    throw Error(where, "has " + std::to_string(b.views.size()) + " views, rollout A " + std::to_string(a.views.size()));
  for (size_t v = 0; v < a.views.size(); ++v)
    if (a.views[v].camera != b.views[v].camera)
      throw Error(where, "view " + std::to_string(v) + " is camera '" + b.views[v].camera + "', in rollout A '" +
                             a.views[v].camera + "'");
}

Metrics metrics_difference(const Metrics& a, const Metrics& b) {
  auto minus = [](double x, double y) {
    const double d = x - y;
    return std::isnan(d) ? Metrics::kNone : d;  // inf − inf is NaN: equal, not a number to show
  };
  Metrics d;
  d.rgb_psnr = minus(a.rgb_psnr, b.rgb_psnr);
  d.rgb_ssim = minus(a.rgb_ssim, b.rgb_ssim);
  d.depth_absrel = minus(a.depth_absrel, b.depth_absrel);
  d.depth_delta1 = minus(a.depth_delta1, b.depth_delta1);
  d.chamfer = minus(a.chamfer, b.chamfer);
  d.action_mse = minus(a.action_mse, b.action_mse);
  d.state_mse = minus(a.state_mse, b.state_mse);
  return d;
}

WhatIfComparison what_if_from_reports(EvaluationReport a, EvaluationReport b) {
  WhatIfComparison w;
  w.a = std::move(a);
  w.b = std::move(b);
  w.a_minus_b = metrics_difference(w.a.prediction.mean, w.b.prediction.mean);
  const size_t frames = std::min(w.a.prediction.frames.size(), w.b.prediction.frames.size());
  for (size_t k = 0; k < frames; ++k)
    w.frames_a_minus_b.push_back(metrics_difference(w.a.prediction.frames[k].metrics, w.b.prediction.frames[k].metrics));
  return w;
}

WhatIfComparison compare_what_if(const data::Episode& episode, const Rollout& a, const Rollout& b) {
  check_rollout_episode(a, episode);
  check_rollout_episode(b, episode);
  check_same_start(a, b);
  return what_if_from_reports(evaluate_against_recording(episode, a), evaluate_against_recording(episode, b));
}

std::string what_if_json(const WhatIfComparison& w, int indent) {
  nlohmann::json j;
  j["a"] = nlohmann::json::parse(evaluation_json(w.a));
  j["b"] = nlohmann::json::parse(evaluation_json(w.b));
  nlohmann::json diff = metrics_json(w.a_minus_b);
  diff["frames"] = nlohmann::json::array();
  for (size_t k = 0; k < w.frames_a_minus_b.size(); ++k) {
    nlohmann::json f = metrics_json(w.frames_a_minus_b[k]);
    f["frame_index"] = w.a.prediction.frames[k].frame_index;
    diff["frames"].push_back(f);
  }
  j["a_minus_b"] = diff;
  return j.dump(indent);
}

}  // namespace xwam::geometry
