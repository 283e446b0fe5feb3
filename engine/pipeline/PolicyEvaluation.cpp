#include "engine/pipeline/PolicyEvaluation.h"

#include <algorithm>
#include <cmath>

#include "engine/data/EpisodeFile.h"

namespace xwam::pipeline {

XWamPolicy::XWamPolicy(Predictor& predictor, RolloutRequest request, int execute)
    : predictor_(predictor), request_(std::move(request)), execute_(execute) {
  request_.action_only = true;
  request_.start_frame = 0;
}

std::vector<data::synthetic::Action> XWamPolicy::act(const data::Episode& now) {
  const RolloutResult r = predictor_.run(now, request_);
  const auto& a = r.chunk.actions;
  const size_t K = a.size() / data::kActionDim, n = execute_ > 0 ? std::min<size_t>(execute_, K) : K;
  std::vector<data::synthetic::Action> out(n);
  for (size_t k = 0; k < n; ++k) std::copy_n(a.data() + k * data::kActionDim, data::kActionDim, out[k].begin());
  return out;
}

namespace {

// Running means that skip "not available" (NaN) values, metric by metric.
struct MeanOf {
  std::map<std::string, std::pair<double, int>> sums;
  void add(const std::string& key, double v) {
    if (std::isnan(v)) return;
    auto& s = sums[key];
    s.first += v;
    ++s.second;
  }
  double get(const std::string& key) const {
    auto it = sums.find(key);
    return it == sums.end() || it->second.second == 0 ? geometry::Metrics::kNone : it->second.first / it->second.second;
  }
  void add(const std::string& prefix, const geometry::Metrics& m) {
    add(prefix + "psnr", m.rgb_psnr);  // identical images: +inf, and so the mean (as Evaluation.h)
    add(prefix + "ssim", m.rgb_ssim);
    add(prefix + "absrel", m.depth_absrel);
    add(prefix + "delta1", m.depth_delta1);
    add(prefix + "chamfer", m.chamfer);
    add(prefix + "action", m.action_mse);
    add(prefix + "state", m.state_mse);
  }
  geometry::Metrics metrics(const std::string& prefix) const {
    geometry::Metrics m;
    m.rgb_psnr = get(prefix + "psnr");
    m.rgb_ssim = get(prefix + "ssim");
    m.depth_absrel = get(prefix + "absrel");
    m.depth_delta1 = get(prefix + "delta1");
    m.chamfer = get(prefix + "chamfer");
    m.action_mse = get(prefix + "action");
    m.state_mse = get(prefix + "state");
    return m;
  }
};

double median(std::vector<double> v) {
  if (v.empty()) return geometry::Metrics::kNone;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

OpenLoopScores evaluate_open_loop(Predictor& predictor, const std::string& file, const RolloutRequest& request,
                                  const std::vector<int>& starts, const ProgressFn& progress, const CancelToken* cancel) {
  data::EpisodeFileReader reader(file);
  MeanOf means;
  std::vector<double> action_ms, video_ms;
  OpenLoopScores scores;
  const int total = reader.num_episodes() * static_cast<int>(starts.size());
  for (int e = 0; e < reader.num_episodes(); ++e) {
    const data::Episode ep = reader.read(e);
    for (int start : starts) {
      throw_if_cancelled(cancel);
      RolloutRequest r = request;
      r.start_frame = start;
      const RolloutResult result = predictor.run(ep, r, {}, cancel);
      // Fast-WAM predicts no frames: only its actions and states are scored.
      const geometry::EvaluationReport report = geometry::evaluate_rollout(ep, result.rollout);
      means.add("pred_", report.prediction.mean);
      means.add("copy_", report.copy_last.mean);
      action_ms.push_back(result.timings.action_ms);
      video_ms.push_back(result.timings.video_ms);
      ++scores.rollouts;
      if (progress) progress({"evaluate", scores.rollouts, total, ep.name + " from frame " + std::to_string(start)});
    }
  }
  scores.prediction = means.metrics("pred_");
  scores.copy_last = means.metrics("copy_");
  scores.action_ms = median(action_ms);
  scores.video_ms = median(video_ms);
  return scores;
}

}  // namespace xwam::pipeline
