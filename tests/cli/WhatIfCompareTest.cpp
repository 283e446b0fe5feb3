// `xwam compare --rollout A --rollout B` end to end: two rollouts of the demo checkpoint from the same
// start with different instructions, compared with the recording and with each other (the table, the
// JSON with A − B, the recording | A | B picture and video); `xwam rollout` prints each decoded latent
// frame; B from another start is refused by name; one rollout keeps its table.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/data/VideoReader.h"
#include "engine/geometry/ImageFiles.h"
#include "tests/cli/CliRunner.h"
#include "tests/cli/DemoCheckpoint.h"

using namespace xwam;
using namespace xwam::testing;
namespace fs = std::filesystem;

namespace {
double number(const nlohmann::json& v) { return v.is_string() ? INFINITY : v.get<double>(); }
}  // namespace

TEST(WhatIfCompare, TwoRolloutsSideBySideWithTheirDifference) {
  const DemoSizes sizes = demo_sizes();
  const fs::path dir = test_dir();
  const std::string a = (dir / "a").string(), b = (dir / "b").string(), other = (dir / "other").string();
  const std::string common = "rollout --checkpoint " + kDemoCheckpoint + " --scene " + kDemoScene + ":0 --seed 5" + kFastSampling;
  const auto ra = run_xwam(common + " --start-frame 4 --out " + a + " --instruction 'pick up the red cube'");
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  // Progress per decoded latent frame (every view), before the rollout is written.
  const size_t first = ra.err.find("[rollout] decoded latent frame 1/");
  EXPECT_NE(first, std::string::npos) << ra.err;
  EXPECT_LT(first, ra.err.find("[rollout] wrote"));
  const auto rb = run_xwam(common + " --start-frame 4 --out " + b + " --instruction 'push the cube to the left'");
  ASSERT_EQ(rb.exit_code, 0) << rb.err;

  const std::string png = (dir / "ab.png").string(), video = (dir / "ab.mp4").string(), metrics = (dir / "ab.json").string();
  const auto json = run_xwam("compare --rollout " + a + " --rollout " + b + " --scene " + kDemoScene + ":0 --json --png " +
                             png + " --frame 1 --video " + video + " --metrics " + metrics);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  for (const char* key : {"a", "b", "a_minus_b"}) ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["a"]["frames"].size(), size_t(sizes.predicted_frames));
  EXPECT_EQ(j["a_minus_b"]["frames"].size(), size_t(sizes.predicted_frames));
  // A − B is the difference of the two reports, metric by metric; the instructions made two futures.
  for (const char* metric : {"rgb_psnr", "rgb_ssim", "depth_absrel", "action_mse", "state_mse"}) {
    ASSERT_TRUE(j["a_minus_b"][metric].is_number()) << metric;
    EXPECT_NEAR(j["a_minus_b"][metric].get<double>(), number(j["a"][metric]) - number(j["b"][metric]), 1e-9) << metric;
  }
  EXPECT_NE(j["a"]["action_mse"], j["b"]["action_mse"]);
  std::ifstream written(metrics);
  EXPECT_EQ(nlohmann::json::parse(written), j);

  // The picture: per view recorded | A | B, the model's images enlarged by whole pixels.
  const geometry::RgbImage picture = geometry::read_png(png);
  const int scale = std::max(1, 240 / sizes.height);
  EXPECT_GE(picture.width, 3 * sizes.width * scale);
  EXPECT_LT(picture.width, 4 * sizes.width * scale);
  EXPECT_GE(picture.height, static_cast<int>(sizes.cameras.size()) * sizes.height * scale);
  data::VideoReader reader(video);
  EXPECT_EQ(reader.width(), picture.width);
  EXPECT_EQ(reader.num_frames(), sizes.predicted_frames);

  // The table: A, B and A − B.
  const auto table = run_xwam("compare --rollout " + a + " --rollout " + b + " --scene " + kDemoScene + ":0");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("A-B"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("rgb_psnr"), std::string::npos) << table.out;

  // One rollout: the comparison with the recording as before.
  const auto one = run_xwam("compare --rollout " + a + " --scene " + kDemoScene + ":0");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("copy-last"), std::string::npos) << one.out;

  // B from another start frame does not stand beside A: refused, naming B's manifest.
  ASSERT_EQ(run_xwam(common + " --start-frame 6 --out " + other).exit_code, 0);
  const auto refused = run_xwam("compare --rollout " + a + " --rollout " + other + " --scene " + kDemoScene + ":0");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find(other + "/manifest.json"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("same start frame"), std::string::npos) << refused.err;
  const auto three = run_xwam("compare --rollout " + a + " --rollout " + b + " --rollout " + other + " --scene " + kDemoScene);
  EXPECT_NE(three.exit_code, 0);
  EXPECT_NE(three.err.find("--rollout"), std::string::npos) << three.err;
  const auto frame_out = run_xwam("compare --rollout " + a + " --rollout " + b + " --scene " + kDemoScene + ":0 --png " +
                                  (dir / "x.png").string() + " --frame 99");
  EXPECT_NE(frame_out.exit_code, 0);
  EXPECT_NE(frame_out.err.find("--frame"), std::string::npos) << frame_out.err;
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}
