// Evaluation of a rollout against the recorded episode: image, depth, cloud and action/state metrics
// per view, per frame and averaged, plus the "copy the last observed frame, zero action" baseline.
//
//   EvaluationReport report = evaluate_rollout(episode, read_rollout(dir), EvaluationOptions{});
//   std::puts(evaluation_json(report).c_str());
#pragma once
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/geometry/DepthFusion.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

// NaN marks "not available" (e.g. no depth, no actions); rgb_psnr is +inf for identical images.
struct Metrics {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  double rgb_psnr = kNone;      // dB
  double rgb_ssim = kNone;      // Gaussian-window SSIM, see ImageMetrics.h
  double depth_absrel = kNone;  // over pixels valid in both
  double depth_delta1 = kNone;
  double chamfer = kNone;       // m², CloudMetrics.h definition, between fused predicted and recorded clouds
  double action_mse = kNone;    // over the actions of the frame's window and the episode's action mask
  double state_mse = kNone;     // predicted vs recorded state at the frame (state mask)
};

struct ViewMetrics {
  std::string camera;
  Metrics metrics;  // rgb_* and depth_* only
};

struct FrameMetrics {
  int frame_index = 0;  // stored-episode frame
  Metrics metrics;      // rgb/depth averaged over views; chamfer of the fused frame; action/state of the frame
  std::vector<ViewMetrics> views;
};

// One evaluated prediction: `mean` averages rgb/depth over all (frame, view) pairs, chamfer over frames,
// action/state MSE over all predicted rows; `views` averages per camera over frames. Means skip NaN
// ("not available"); a single +inf PSNR makes its mean +inf.
struct EvaluationResult {
  Metrics mean;
  std::vector<FrameMetrics> frames;
  std::vector<ViewMetrics> views;
  std::vector<double> action_mse_per_dim;  // 14 values
  std::vector<double> state_mse_per_dim;   // 16 values
};

struct EvaluationReport {
  EvaluationResult prediction;
  EvaluationResult copy_last;  // baseline: frame start_frame repeated, zero actions, state s_start repeated
};

struct EvaluationOptions {
  FusionOptions fusion = [] {
    FusionOptions o;
    o.stride = 2;  // Chamfer on every 2nd pixel per axis: the metric barely moves, the cost drops 4×
    return o;
  }();
};

// Action k of the rollout (episode step a_k) belongs to predicted frame j when f_{j−1} ≤ a_k < f_j, with
// f_{−1} = start_frame and f_j = frame_indices[j]. Throws xwam::Error naming the rollout key or camera when
// a frame or action lies outside the episode, a camera is missing from the episode, or image sizes differ.
EvaluationReport evaluate_rollout(const data::Episode& episode, const Rollout& rollout,
                                  const EvaluationOptions& options = {});

// JSON text: top-level averages (rgb_psnr, rgb_ssim, depth_absrel, depth_delta1, chamfer, action_mse,
// state_mse), "views", "frames" (same keys per frame, with per-view entries), per-dimension errors and
// "baselines": {"copy_last": {same averages, "frames": [...]}}. +inf is written as the string "inf",
// NaN (not available) as null.
std::string evaluation_json(const EvaluationReport& report, int indent = 2);

// The one JSON convention for a metric, used wherever metrics are written: NaN (not available) as null,
// ±inf (identical images' PSNR) as the strings "inf" / "-inf", else the number.
nlohmann::json metric_json(double value);
// The averages of `m` under their evaluation_json keys (rgb_psnr, ..., state_mse).
nlohmann::json metrics_json(const Metrics& m);

}  // namespace xwam::geometry
