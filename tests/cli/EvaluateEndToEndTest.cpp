// `xwam evaluate` end to end on the shipped demo checkpoint: one generated held-out episode, one start,
// one closed-loop scene. The report's keys, every value finite and in its range, and the copy-last /
// zero-action baseline equal to the same numbers computed here from the episode file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/data/EpisodeFile.h"
#include "tests/cli/CliRunner.h"
#include "tests/cli/DemoCheckpoint.h"

using namespace xwam;
using namespace xwam::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A metric is null (does not apply), "inf" (identical images) or a finite number in [lo, hi].
void expect_metric(const json& j, const char* key, double lo, double hi, const std::string& where) {
  ASSERT_TRUE(j.contains(key)) << where << "." << key;
  const json& v = j.at(key);
  if (v.is_null()) return;
  if (v.is_string()) {
    EXPECT_EQ(v, "inf") << where << "." << key;
    EXPECT_STREQ(key, "rgb_psnr") << "only PSNR may be infinite";
    return;
  }
  ASSERT_TRUE(v.is_number()) << where << "." << key << " = " << v;
  const double x = v.get<double>();
  EXPECT_TRUE(std::isfinite(x)) << where << "." << key;
  EXPECT_GE(x, lo) << where << "." << key;
  EXPECT_LE(x, hi) << where << "." << key;
}

void expect_metrics(const json& j, const std::string& where) {
  const double inf = std::numeric_limits<double>::infinity();
  expect_metric(j, "rgb_psnr", 0, inf, where);
  expect_metric(j, "rgb_ssim", -1, 1, where);
  expect_metric(j, "depth_absrel", 0, inf, where);
  expect_metric(j, "depth_delta1", 0, 1, where);
  expect_metric(j, "chamfer", 0, inf, where);
  expect_metric(j, "action_mse", 0, inf, where);
  expect_metric(j, "state_mse", 0, inf, where);
}

void expect_closed_loop(const json& j, int episodes, const std::string& where) {
  ASSERT_TRUE(j.contains("policy") && j.contains("success_rate") && j.contains("per_task")) << where << ": " << j;
  const double rate = j.at("success_rate");
  EXPECT_GE(rate, 0.0) << where;
  EXPECT_LE(rate, 1.0) << where;
  int total = 0, successes = 0;
  for (const auto& [task, t] : j.at("per_task").items()) {
    total += t.at("episodes").get<int>();
    successes += t.at("successes").get<int>();
    EXPECT_LE(t.at("successes").get<int>(), t.at("episodes").get<int>()) << where << "." << task;
  }
  EXPECT_EQ(total, episodes) << where;
  EXPECT_DOUBLE_EQ(rate, double(successes) / episodes) << where;
}

// What the copy-last / zero-action baseline scores from `start`: mean squared recorded action over
// the chunk, and mean squared state change from the start to each predicted frame (real dims only).
std::pair<double, double> baseline_by_hand(const data::Episode& ep, int start, const DemoSizes& sizes) {
  double action_sum = 0, state_sum = 0;
  int action_dims = 0, state_dims = 0;
  for (int d = 0; d < data::kActionDim; ++d) action_dims += ep.action_mask[d] != 0;
  for (int d = 0; d < data::kStateDim; ++d) state_dims += ep.state_mask[d] != 0;
  for (int a = 0; a < sizes.actions; ++a)
    for (int d = 0; d < data::kActionDim; ++d)
      if (ep.action_mask[d]) action_sum += double(ep.action(start + a)[d]) * ep.action(start + a)[d];
  for (int k = 1; k <= sizes.predicted_frames; ++k)
    for (int d = 0; d < data::kStateDim; ++d)
      if (ep.state_mask[d]) {
        const double diff = double(ep.state(start)[d]) - ep.state(start + k * sizes.steps_per_frame)[d];
        state_sum += diff * diff;
      }
  return {action_sum / (sizes.actions * action_dims), state_sum / (sizes.predicted_frames * state_dims)};
}

}  // namespace

TEST(EvaluateEndToEnd, ReportHasFiniteScoresAndTheCopyLastBaseline) {
  const DemoSizes sizes = demo_sizes();
  const fs::path dir = test_dir();
  const std::string heldout = (dir / "heldout.h5").string();
  const int frames = 1 + sizes.predicted_frames * sizes.steps_per_frame + 4;
  auto gen = run_xwam("generate --episodes 1 --seed 9 --frames " + std::to_string(frames) + " --out " + heldout);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const auto r = run_xwam("evaluate --checkpoint " + kDemoCheckpoint + " --scene " + heldout +
                          " --modes xwam,fastwam --starts 0 --closed-loop 1 --seed 5000 --json" + kFastSampling);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  for (const char* key : {"checkpoint", "device", "dtype", "scene", "starts", "closed_loop_seeds", "modes", "baselines"})
    EXPECT_TRUE(report.contains(key)) << key;
  EXPECT_EQ(report.at("scene"), heldout);
  EXPECT_EQ(report.at("starts"), json::array({0}));
  EXPECT_EQ(report.at("closed_loop_seeds"), json::array({5000, 5001}));
  ASSERT_EQ(report.at("modes").size(), 2u);

  const data::Episode ep = data::read_episode(heldout, 0);
  const auto [action_mse, state_mse] = baseline_by_hand(ep, 0, sizes);
  for (const char* mode : {"xwam", "fastwam"}) {
    const json& m = report.at("modes").at(mode);
    const json& open = m.at("open_loop");
    EXPECT_EQ(open.at("rollouts"), 1) << mode;
    expect_metrics(open.at("prediction"), std::string(mode) + ".prediction");
    expect_metrics(open.at("copy_last_zero_action"), std::string(mode) + ".copy_last_zero_action");
    // Predictions always have actions and states to score.
    EXPECT_TRUE(open.at("prediction").at("action_mse").is_number()) << mode;
    EXPECT_TRUE(open.at("prediction").at("state_mse").is_number()) << mode;
    // The baseline is the recording's own numbers, whatever the network predicted.
    EXPECT_NEAR(open.at("copy_last_zero_action").at("action_mse").get<double>(), action_mse, 1e-6 * action_mse + 1e-12) << mode;
    EXPECT_NEAR(open.at("copy_last_zero_action").at("state_mse").get<double>(), state_mse, 1e-6 * state_mse + 1e-12) << mode;
    for (const char* key : {"action_ms", "video_ms"}) {
      ASSERT_TRUE(m.at(key).is_number()) << mode << "." << key;
      EXPECT_GE(m.at(key).get<double>(), 0) << mode << "." << key;
    }
    expect_closed_loop(m.at("closed_loop"), 1, std::string(mode) + ".closed_loop");
  }
  // X-WAM predicts images: they are scored, and so is the repeated observation (Fast-WAM predicts none).
  for (const char* key : {"rgb_psnr", "rgb_ssim", "depth_absrel", "depth_delta1"}) {
    EXPECT_FALSE(report["modes"]["xwam"]["open_loop"]["prediction"][key].is_null()) << key;
    EXPECT_FALSE(report["modes"]["xwam"]["open_loop"]["copy_last_zero_action"][key].is_null()) << key;
    EXPECT_TRUE(report["modes"]["fastwam"]["open_loop"]["prediction"][key].is_null()) << key;
  }
  // The bounds: the scripted expert solves the scene, doing nothing does not.
  expect_closed_loop(report.at("baselines").at("expert"), 1, "expert");
  expect_closed_loop(report.at("baselines").at("zero_action"), 1, "zero_action");
  EXPECT_EQ(report["baselines"]["expert"]["success_rate"], 1.0);
  EXPECT_EQ(report["baselines"]["zero_action"]["success_rate"], 0.0);
  fs::remove_all(dir);
}

TEST(EvaluateEndToEnd, ReconstructionScoresTheVaeAloneOnEveryFrameOfEveryView) {
  const DemoSizes sizes = demo_sizes();
  const fs::path dir = test_dir();
  const std::string heldout = (dir / "heldout.h5").string();
  const int frames = 1 + sizes.predicted_frames * sizes.steps_per_frame + 4;
  ASSERT_EQ(run_xwam("generate --episodes 1 --seed 9 --frames " + std::to_string(frames) + " --out " + heldout).exit_code, 0);

  const auto r = run_xwam("evaluate --checkpoint " + kDemoCheckpoint + " --scene " + heldout +
                          " --modes '' --starts 0,4 --closed-loop 0 --reconstruction --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  EXPECT_TRUE(report.at("modes").empty()) << "--modes '' runs no rollout";
  const json& recon = report.at("reconstruction");
  EXPECT_EQ(recon.at("clips"), 2);
  // Every frame of the clip (condition + predicted) of each of the demo's 3 views, RGB and depth.
  const int images = 2 * 3 * (1 + sizes.predicted_frames);
  EXPECT_EQ(recon.at("images"), images);
  EXPECT_EQ(recon.at("depth_images"), images);
  // The demo VAE is coarse but not noise: far above a random image's ~8 dB, far below identity.
  EXPECT_GT(recon.at("rgb_psnr").get<double>(), 12.0);
  EXPECT_LT(recon.at("rgb_psnr").get<double>(), 40.0);
  EXPECT_GT(recon.at("rgb_ssim").get<double>(), 0.1);
  EXPECT_LE(recon.at("rgb_ssim").get<double>(), 1.0);
  EXPECT_GT(recon.at("depth_absrel").get<double>(), 0.0);
  EXPECT_LT(recon.at("depth_absrel").get<double>(), 1.0);
  EXPECT_GT(recon.at("depth_delta1").get<double>(), 0.3);
  fs::remove_all(dir);
}

// The released datasets' 8-bit depth has no metric mapping: the VAE still reconstructs every view's RGB,
// and the depth scores name the cameras they leave out instead of silently reporting none.
TEST(EvaluateEndToEnd, ReconstructionNamesCamerasWhoseDepthHasNoMetricMapping) {
  const DemoSizes sizes = demo_sizes();
  const fs::path dir = test_dir();
  const std::string generated = (dir / "generated.h5").string(), imported = (dir / "imported.h5").string();
  const int frames = 1 + sizes.predicted_frames * sizes.steps_per_frame + 4;
  ASSERT_EQ(run_xwam("generate --episodes 1 --seed 9 --frames " + std::to_string(frames) + " --out " + generated).exit_code, 0);
  ASSERT_EQ(run_xwam("export --format xwam --scene " + generated + " --out " + (dir / "released").string()).exit_code, 0);
  fs::remove(dir / "released" / "CAMERAS.json");  // as the released datasets ship: no calibration, no mapping
  ASSERT_EQ(run_xwam("import --format xwam --in " + (dir / "released").string() + " --out " + imported).exit_code, 0);

  const auto r = run_xwam("evaluate --checkpoint " + kDemoCheckpoint + " --scene " + imported +
                          " --modes '' --starts 0 --closed-loop 0 --reconstruction --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  const json& recon = report.at("reconstruction");
  EXPECT_EQ(recon.at("images"), 3 * (1 + sizes.predicted_frames));
  EXPECT_EQ(recon.at("depth_images"), 0);
  EXPECT_EQ(recon.at("depth_unscored_cameras"), json({"main", "side", "wrist0"}));
  EXPECT_NE(r.err.find("camera 'wrist0': depth encoded, no metric mapping"), std::string::npos) << r.err;
  fs::remove_all(dir);
}
