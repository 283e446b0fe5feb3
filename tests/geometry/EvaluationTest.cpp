// Rollout evaluation: perfect predictions give the ideal values, known perturbations give known errors,
// the copy-last baseline is what its definition says, and the JSON carries the agreed keys.
#include "engine/geometry/Evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "RolloutBuilder.h"
#include "TestScene.h"
#include "engine/core/Error.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;

TEST(Evaluation, PerfectPredictionGivesIdealMetrics) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  const geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
  const auto report = geometry::evaluate_rollout(ep, r);
  const auto& m = report.prediction.mean;
  EXPECT_TRUE(std::isinf(m.rgb_psnr));
  EXPECT_EQ(m.rgb_ssim, 1.0);
  EXPECT_EQ(m.depth_absrel, 0.0);
  EXPECT_EQ(m.depth_delta1, 1.0);
  EXPECT_EQ(m.chamfer, 0.0);
  EXPECT_EQ(m.action_mse, 0.0);
  EXPECT_EQ(m.state_mse, 0.0);
  ASSERT_EQ(report.prediction.frames.size(), 2u);
  EXPECT_EQ(report.prediction.frames[1].frame_index, 4);
  EXPECT_EQ(report.prediction.frames[1].views.size(), 3u);
  // The baseline repeats frame 0 while the sphere and the wrist move: clearly worse.
  const auto& b = report.copy_last.mean;
  EXPECT_TRUE(std::isfinite(b.rgb_psnr));
  EXPECT_LT(b.rgb_ssim, 1.0);
  EXPECT_GT(b.chamfer, 1e-6);
  EXPECT_GT(b.action_mse, 0.0);
}

TEST(Evaluation, KnownPerturbationsGiveKnownErrors) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
  for (auto& v : r.views)
    for (float& d : v.depth) d *= 1.1f;                  // AbsRel 0.1, δ1 1
  for (float& a : r.actions) a += 0.1f;                  // masked dims (arm 1) do not count
  for (size_t k = 0; k < r.states.size(); k += 16) r.states[k] += 0.2f;  // x of arm 0 only
  r.views[0].rgb[0] ^= 0x10;                             // one byte of one frame changes: finite PSNR there

  const auto report = geometry::evaluate_rollout(ep, r);
  const auto& m = report.prediction.mean;
  EXPECT_NEAR(m.depth_absrel, 0.1, 1e-6);
  EXPECT_EQ(m.depth_delta1, 1.0);
  EXPECT_NEAR(m.action_mse, 0.01, 1e-8);
  EXPECT_NEAR(m.state_mse, 0.04 / 8, 1e-8);
  EXPECT_NEAR(report.prediction.state_mse_per_dim[0], 0.04, 1e-8);
  EXPECT_EQ(report.prediction.state_mse_per_dim[1], 0.0);
  EXPECT_TRUE(std::isfinite(report.prediction.frames[0].views[0].metrics.rgb_psnr));
  EXPECT_TRUE(std::isinf(report.prediction.frames[1].views[0].metrics.rgb_psnr));
  EXPECT_GT(m.chamfer, 1e-6);  // depth scaled along the rays moves the cloud
  // Per-frame action windows: [0, 2) for frame 2 and [2, 4) for frame 4, two actions each.
  EXPECT_NEAR(report.prediction.frames[0].metrics.action_mse, 0.01, 1e-8);
  EXPECT_NEAR(report.prediction.frames[1].metrics.action_mse, 0.01, 1e-8);
}

TEST(Evaluation, CopyLastBaselineEqualsEvaluatingACopyLastRollout) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  const geometry::Rollout r = test::rollout_from_episode(ep, 1, 1, 3);
  geometry::Rollout copy = r;
  const auto start = test::rollout_from_episode(ep, 0, 1, 1);  // frame 1 as a one-frame rollout
  for (size_t v = 0; v < copy.views.size(); ++v) {
    copy.views[v].rgb.clear();
    copy.views[v].depth.clear();
    for (int k = 0; k < 3; ++k) {
      copy.views[v].rgb.insert(copy.views[v].rgb.end(), start.views[v].rgb.begin(), start.views[v].rgb.end());
      copy.views[v].depth.insert(copy.views[v].depth.end(), start.views[v].depth.begin(), start.views[v].depth.end());
    }
  }
  copy.states.clear();
  for (int k = 0; k < 3; ++k) copy.states.insert(copy.states.end(), ep.state(1), ep.state(1) + 16);
  std::fill(copy.actions.begin(), copy.actions.end(), 0.0f);

  const auto baseline = geometry::evaluate_rollout(ep, r).copy_last.mean;
  const auto direct = geometry::evaluate_rollout(ep, copy).prediction.mean;
  EXPECT_DOUBLE_EQ(baseline.rgb_psnr, direct.rgb_psnr);
  EXPECT_DOUBLE_EQ(baseline.rgb_ssim, direct.rgb_ssim);
  EXPECT_DOUBLE_EQ(baseline.depth_absrel, direct.depth_absrel);
  EXPECT_DOUBLE_EQ(baseline.chamfer, direct.chamfer);
  EXPECT_DOUBLE_EQ(baseline.action_mse, direct.action_mse);
  EXPECT_DOUBLE_EQ(baseline.state_mse, direct.state_mse);
}

TEST(Evaluation, JsonCarriesTheAgreedKeys) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  const auto report = geometry::evaluate_rollout(ep, test::rollout_from_episode(ep, 0, 2, 2));
  const auto j = nlohmann::json::parse(geometry::evaluation_json(report));
  for (const char* key : {"rgb_psnr", "rgb_ssim", "depth_absrel", "depth_delta1", "chamfer", "action_mse"}) {
    EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j["frames"][0].contains(key)) << key;
    EXPECT_TRUE(j["baselines"]["copy_last"].contains(key)) << key;
  }
  EXPECT_EQ(j["rgb_psnr"], "inf");
  EXPECT_EQ(j["rgb_ssim"], 1.0);
  EXPECT_EQ(j["frames"].size(), 2u);
  EXPECT_TRUE(j["frames"][0]["views"].contains("wrist"));
  EXPECT_TRUE(j["views"].contains("main"));
  EXPECT_TRUE(j["baselines"]["copy_last"]["rgb_psnr"].is_number());
}

TEST(Evaluation, RefusesFramesOutsideTheEpisodeAndUnknownCameras) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
  r.frame_indices[1] = 9;
  EXPECT_THROW(geometry::evaluate_rollout(ep, r), Error);
  r = test::rollout_from_episode(ep, 0, 2, 2);
  r.views[1].camera = "elsewhere";
  try {
    geometry::evaluate_rollout(ep, r);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera elsewhere"), std::string::npos) << e.what();
  }
}

TEST(SequenceFusion, PredictedWristCameraIsPosedByThePredictedState) {
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
  // Perfect prediction: predicted clouds equal the recorded ones, point errors are 0.
  auto predicted = geometry::fuse_predicted(ep, r, {});
  const auto recorded = geometry::fuse_recorded(ep, {2, 4}, {});
  ASSERT_EQ(predicted.frames.size(), 2u);
  EXPECT_EQ(predicted.frames[1].xyz, recorded.frames[1].xyz);
  geometry::set_point_errors(predicted, recorded);
  for (float e : predicted.frames[1].error) EXPECT_EQ(e, 0.0f);
  // A predicted state 5 cm higher moves only the wrist camera's points, by 5 cm in z.
  for (int k = 0; k < 2; ++k) r.states[k * 16 + 2] += 0.05f;
  const auto lifted = geometry::fuse_predicted(ep, r, {});
  for (size_t i = 0; i < lifted.frames[0].size(); ++i) {
    const float dz = lifted.frames[0].xyz[3 * i + 2] - predicted.frames[0].xyz[3 * i + 2];
    EXPECT_NEAR(dz, lifted.frames[0].view[i] == 2 ? 0.05f : 0.0f, 1e-5);
  }
  EXPECT_NEAR(lifted.camera_poses[0][2](2, 3) - predicted.camera_poses[0][2](2, 3), 0.05, 1e-6);
  EXPECT_NEAR(lifted.trajectory[1].z() - predicted.trajectory[1].z(), 0.05, 1e-6);
}
