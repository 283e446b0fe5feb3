// Rollout evaluation: per-view image/depth metrics, per-frame fused-cloud Chamfer, action/state errors,
// and the same for the copy-last baseline built as a rollout of its own.
#include "engine/geometry/Evaluation.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/geometry/CloudMetrics.h"
#include "engine/geometry/ImageMetrics.h"
#include "engine/geometry/SequenceFusion.h"
#include "engine/geometry/VectorMetrics.h"

namespace xwam::geometry {

namespace {
// Running mean that ignores "not available" (NaN); +inf stays +inf.
struct Mean {
  double sum = 0;
  size_t count = 0;
  void add(double v) {
    if (std::isnan(v)) return;
    sum += v;
    ++count;
  }
  double value() const { return count ? sum / static_cast<double>(count) : Metrics::kNone; }
};

struct MetricsMean {
  Mean psnr, ssim, absrel, delta1, chamfer, action, state;
  void add(const Metrics& m) {
    psnr.add(m.rgb_psnr), ssim.add(m.rgb_ssim), absrel.add(m.depth_absrel), delta1.add(m.depth_delta1);
    chamfer.add(m.chamfer), action.add(m.action_mse), state.add(m.state_mse);
  }
  Metrics value() const {
    return {psnr.value(), ssim.value(), absrel.value(), delta1.value(), chamfer.value(), action.value(), state.value()};
  }
};

// The file errors about a rollout name: its manifest, or "rollout" for one built in memory.
std::string rollout_file(const Rollout& rollout) {
  return rollout.dir.empty() ? "rollout" : (std::filesystem::path(rollout.dir) / "manifest.json").string();
}

int local_frame(const data::Episode& episode, const Rollout& rollout, int stored_frame, const std::string& key) {
  const int t = stored_frame - episode.first_frame;
  if (t < 0 || t >= episode.num_frames)
    throw Error(rollout_file(rollout), "key " + key,
                "frame " + std::to_string(stored_frame) + " is outside episode " + episode.name + " (frames " +
                    std::to_string(episode.first_frame) + "…" + std::to_string(episode.first_frame + episode.num_frames - 1) +
                    ")");
  return t;
}

// The baseline as a rollout: the observation at start_frame repeated, zero actions, s_start repeated.
Rollout copy_last_rollout(const data::Episode& episode, const Rollout& rollout) {
  const int s = local_frame(episode, rollout, rollout.start_frame, "start_frame");
  Rollout b;
  b.dir = rollout.dir;
  b.start_frame = rollout.start_frame;
  b.frame_indices = rollout.frame_indices;
  b.action_frame_indices = rollout.action_frame_indices;
  b.actions.assign(rollout.actions.size(), 0.0f);
  for (int k = 0; k < rollout.num_frames(); ++k)
    b.states.insert(b.states.end(), episode.state(s), episode.state(s) + data::kStateDim);
  for (const auto& rv : rollout.views) {
    const int c = episode.camera_index(rv.camera);
    if (c < 0) throw Error(rollout_file(rollout), "camera " + rv.camera, "rollout camera is not in episode " + episode.name);
    if (episode.rgb[c].empty()) throw Error(rollout_file(rollout), "camera " + rv.camera, "episode has no recorded RGB to compare with");
    RolloutView view;
    view.camera = rv.camera;
    view.width = episode.cameras[c].width;
    view.height = episode.cameras[c].height;
    const size_t pixels = static_cast<size_t>(view.width) * view.height;
    for (int k = 0; k < rollout.num_frames(); ++k) {
      view.rgb.insert(view.rgb.end(), episode.rgb_frame(c, s), episode.rgb_frame(c, s) + 3 * pixels);
      if (!rv.depth.empty() && episode.depth_frame(c, s))
        view.depth.insert(view.depth.end(), episode.depth_frame(c, s), episode.depth_frame(c, s) + pixels);
    }
    b.views.push_back(std::move(view));
  }
  return b;
}

EvaluationResult evaluate(const data::Episode& episode, const Rollout& rollout, const EvaluationOptions& options) {
  const uint8_t* action_mask = episode.action_mask.data();
  const uint8_t* state_mask = episode.state_mask.data();
  std::vector<int> cams;
  for (const auto& rv : rollout.views) {
    const int c = episode.camera_index(rv.camera);
    if (c < 0) throw Error(rollout_file(rollout), "camera " + rv.camera, "rollout camera is not in episode " + episode.name);
    if (rv.width != episode.cameras[c].width || rv.height != episode.cameras[c].height)
      throw Error(rollout_file(rollout), "camera " + rv.camera,
                  "predicted images are " + std::to_string(rv.width) + "x" + std::to_string(rv.height) +
                      ", recorded ones " + std::to_string(episode.cameras[c].width) + "x" +
                      std::to_string(episode.cameras[c].height));
    if (episode.rgb[c].empty()) throw Error(rollout_file(rollout), "camera " + rv.camera, "episode has no recorded RGB to compare with");
    // Depth codes of unknown mapping cannot be compared in metres: refuse rather than skip silently.
    if (!rv.depth.empty() && episode.cameras[c].depth_encoded)
      throw Error(rollout_file(rollout), "episode " + episode.name + " camera " + rv.camera,
                  std::string("no depth metrics: ") + data::missing_metric_depth(episode.cameras[c]));
    cams.push_back(c);
  }

  // Predicted actions against the recorded ones, all at once and per frame window.
  std::vector<float> recorded_actions;
  for (size_t a = 0; a < rollout.action_frame_indices.size(); ++a) {
    const int t = local_frame(episode, rollout, rollout.action_frame_indices[a], "actions_csv row " + std::to_string(a + 1));
    recorded_actions.insert(recorded_actions.end(), episode.action(t), episode.action(t) + data::kActionDim);
  }

  EvaluationResult result;
  MetricsMean overall;
  std::vector<MetricsMean> per_view(rollout.views.size());
  std::vector<float> recorded_states;
  for (int k = 0; k < rollout.num_frames(); ++k) {
    const int t = local_frame(episode, rollout, rollout.frame_indices[k], "frame_indices");
    FrameMetrics frame;
    frame.frame_index = rollout.frame_indices[k];
    MetricsMean frame_mean;
    std::vector<DepthView> predicted_views, recorded_views;
    for (size_t v = 0; v < rollout.views.size(); ++v) {
      const RolloutView& rv = rollout.views[v];
      const int c = cams[v];
      const int W = rv.width, H = rv.height;
      ViewMetrics vm{rv.camera, {}};
      vm.metrics.rgb_psnr = rgb_psnr(rv.rgb_frame(k), episode.rgb_frame(c, t), W, H);
      vm.metrics.rgb_ssim = rgb_ssim(rv.rgb_frame(k), episode.rgb_frame(c, t), W, H);
      const float* recorded_depth = episode.depth_frame(c, t);
      if (rv.depth_frame(k) && recorded_depth) {
        const DepthErrors e = depth_errors(rv.depth_frame(k), recorded_depth, static_cast<size_t>(W) * H);
        if (e.valid_pixels > 0) vm.metrics.depth_absrel = e.absrel, vm.metrics.depth_delta1 = e.delta1;
        predicted_views.push_back({predicted_camera(episode, rollout, static_cast<int>(v), k), rv.depth_frame(k), rv.rgb_frame(k)});
        recorded_views.push_back({recorded_camera(episode, c, t), recorded_depth, episode.rgb_frame(c, t)});
      }
      frame_mean.add(vm.metrics);
      overall.add(vm.metrics);
      per_view[v].add(vm.metrics);
      frame.views.push_back(vm);
    }
    frame.metrics = frame_mean.value();
    frame.metrics.chamfer = Metrics::kNone;
    if (!predicted_views.empty()) {
      const CloudFrame predicted = fuse_views(predicted_views, options.fusion);
      const CloudFrame recorded = fuse_views(recorded_views, options.fusion);
      if (predicted.size() > 0 && recorded.size() > 0) frame.metrics.chamfer = chamfer_distance(predicted, recorded);
    }
    frame.metrics.action_mse = frame.metrics.state_mse = Metrics::kNone;
    if (!rollout.states.empty()) {
      frame.metrics.state_mse = vector_errors(rollout.state(k), episode.state(t), 1, data::kStateDim, state_mask).mse;
      recorded_states.insert(recorded_states.end(), episode.state(t), episode.state(t) + data::kStateDim);
    }
    // Actions of this frame's window [f_{k−1}, f_k).
    const int from = k == 0 ? rollout.start_frame : rollout.frame_indices[k - 1], to = rollout.frame_indices[k];
    std::vector<float> window_pred, window_rec;
    for (size_t a = 0; a < rollout.action_frame_indices.size(); ++a) {
      const int idx = rollout.action_frame_indices[a];
      if (idx < from || idx >= to) continue;
      window_pred.insert(window_pred.end(), &rollout.actions[a * data::kActionDim], &rollout.actions[(a + 1) * data::kActionDim]);
      window_rec.insert(window_rec.end(), &recorded_actions[a * data::kActionDim], &recorded_actions[(a + 1) * data::kActionDim]);
    }
    if (!window_pred.empty())
      frame.metrics.action_mse =
          vector_errors(window_pred.data(), window_rec.data(), window_pred.size() / data::kActionDim, data::kActionDim, action_mask).mse;
    result.frames.push_back(frame);
  }

  // Averages: rgb/depth over (frame, view) pairs, chamfer over frames, action/state over all rows.
  result.mean = overall.value();
  Mean chamfer;
  for (const auto& f : result.frames) chamfer.add(f.metrics.chamfer);
  result.mean.chamfer = chamfer.value();
  result.action_mse_per_dim.assign(data::kActionDim, Metrics::kNone);
  result.state_mse_per_dim.assign(data::kStateDim, Metrics::kNone);
  if (!rollout.actions.empty()) {
    const VectorErrors e = vector_errors(rollout.actions.data(), recorded_actions.data(), rollout.action_frame_indices.size(),
                                         data::kActionDim, action_mask);
    result.mean.action_mse = e.mse;
    result.action_mse_per_dim = e.mse_per_dim;
  }
  if (!rollout.states.empty()) {
    const VectorErrors e = vector_errors(rollout.states.data(), recorded_states.data(), rollout.frame_indices.size(),
                                         data::kStateDim, state_mask);
    result.mean.state_mse = e.mse;
    result.state_mse_per_dim = e.mse_per_dim;
  }
  for (size_t v = 0; v < rollout.views.size(); ++v) result.views.push_back({rollout.views[v].camera, per_view[v].value()});
  return result;
}


nlohmann::json metrics_json(const Metrics& m, bool images_only) {
  nlohmann::json j;
  j["rgb_psnr"] = metric_json(m.rgb_psnr);
  j["rgb_ssim"] = metric_json(m.rgb_ssim);
  j["depth_absrel"] = metric_json(m.depth_absrel);
  j["depth_delta1"] = metric_json(m.depth_delta1);
  if (images_only) return j;
  j["chamfer"] = metric_json(m.chamfer);
  j["action_mse"] = metric_json(m.action_mse);
  j["state_mse"] = metric_json(m.state_mse);
  return j;
}

nlohmann::json result_json(const EvaluationResult& r) {
  nlohmann::json j = metrics_json(r.mean);
  j["views"] = nlohmann::json::object();
  for (const auto& v : r.views) j["views"][v.camera] = metrics_json(v.metrics, true);
  j["frames"] = nlohmann::json::array();
  for (const auto& f : r.frames) {
    nlohmann::json fj = metrics_json(f.metrics);
    fj["frame_index"] = f.frame_index;
    fj["views"] = nlohmann::json::object();
    for (const auto& v : f.views) fj["views"][v.camera] = metrics_json(v.metrics, true);
    j["frames"].push_back(fj);
  }
  j["action_mse_per_dim"] = nlohmann::json::array();
  for (double v : r.action_mse_per_dim) j["action_mse_per_dim"].push_back(metric_json(v));
  j["state_mse_per_dim"] = nlohmann::json::array();
  for (double v : r.state_mse_per_dim) j["state_mse_per_dim"].push_back(metric_json(v));
  return j;
}
}  // namespace

EvaluationReport evaluate_rollout(const data::Episode& episode, const Rollout& rollout, const EvaluationOptions& options) {
  rollout.validate();
  EvaluationReport report;
  report.prediction = evaluate(episode, rollout, options);
  report.copy_last = evaluate(episode, copy_last_rollout(episode, rollout), options);
  return report;
}

nlohmann::json metric_json(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

nlohmann::json metrics_json(const Metrics& m) { return metrics_json(m, false); }

std::string evaluation_json(const EvaluationReport& report, int indent) {
  nlohmann::json j = result_json(report.prediction);
  j["baselines"]["copy_last"] = result_json(report.copy_last);
  return j.dump(indent);
}

}  // namespace xwam::geometry
