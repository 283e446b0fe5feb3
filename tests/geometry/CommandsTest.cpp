// `xwam fuse` and `xwam eval` end to end on an episode file and a rollout directory written by the test.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "RolloutBuilder.h"
#include "TempDir.h"
#include "TestScene.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/Rollout.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
// Runs the CLI; returns its exit status and fills `out` with stdout.
int run_xwam(const std::string& arguments, std::string& out, const fs::path& dir) {
  const std::string command = std::string(XWAM_BINARY_DIR) + "/bin/xwam " + arguments + " > " +
                              (dir / "stdout.txt").string() + " 2> " + (dir / "stderr.txt").string();
  const int status = std::system(command.c_str());
  std::ifstream in(dir / "stdout.txt");
  out.assign(std::istreambuf_iterator<char>(in), {});
  return status;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST(Commands, FuseAndEvalEndToEnd) {
  const auto dir = test::temp_dir();
  const data::Episode ep = test::make_tabletop(5, 48, 36);
  {
    data::EpisodeFileWriter writer((dir / "scene.h5").string());
    writer.add(ep);
    writer.commit();
  }
  const std::string scene = (dir / "scene.h5").string() + ":0";
  std::string out;

  ASSERT_EQ(run_xwam("fuse --scene " + scene + " --out " + (dir / "rec").string() + " --every 2 --json", out, dir), 0)
      << read_text(dir / "stderr.txt");
  EXPECT_EQ(nlohmann::json::parse(out)["frames"], 3);
  const auto recorded = geometry::read_cloud_directory((dir / "rec").string());
  ASSERT_EQ(recorded.frames.size(), 3u);
  EXPECT_EQ(recorded.frame_indices, (std::vector<int>{0, 2, 4}));
  for (size_t i = 0; i < recorded.frames[1].size(); ++i)
    EXPECT_LT(test::surface_distance(recorded.frames[1].point(i).cast<double>(), 2), 1e-4);

  // A rollout with a known depth error: fused with per-point errors, evaluated with the agreed keys.
  geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
  for (auto& v : r.views)
    for (float& d : v.depth) d *= 1.1f;
  geometry::write_rollout((dir / "rollout").string(), r);
  ASSERT_EQ(run_xwam("fuse --scene " + scene + " --source " + (dir / "rollout").string() + " --out " +
                         (dir / "pred").string(),
                     out, dir),
            0)
      << read_text(dir / "stderr.txt");
  const auto predicted = geometry::read_cloud_directory((dir / "pred").string());
  ASSERT_EQ(predicted.frames.size(), 2u);
  ASSERT_EQ(predicted.frames[0].error.size(), predicted.frames[0].size());
  EXPECT_EQ(predicted.source, "predicted");

  ASSERT_EQ(run_xwam("eval --rollout " + (dir / "rollout").string() + " --scene " + scene + " --json", out, dir), 0)
      << read_text(dir / "stderr.txt");
  const auto j = nlohmann::json::parse(out);
  EXPECT_NEAR(j["depth_absrel"].get<double>(), 0.1, 1e-6);
  EXPECT_EQ(j["rgb_psnr"], "inf");
  EXPECT_EQ(j["action_mse"], 0.0);
  EXPECT_EQ(j["frames"].size(), 2u);
  EXPECT_TRUE(j["baselines"]["copy_last"]["chamfer"].is_number());

  // Refusals name what is wrong and exit non-zero.
  EXPECT_NE(run_xwam("fuse --scene " + scene + " --out " + (dir / "x").string() + " --cameras nowhere", out, dir), 0);
  EXPECT_NE(read_text(dir / "stderr.txt").find("camera nowhere"), std::string::npos) << read_text(dir / "stderr.txt");
  EXPECT_NE(run_xwam("eval --rollout " + (dir / "missing").string() + " --scene " + scene, out, dir), 0);
  EXPECT_NE(read_text(dir / "stderr.txt").find("manifest.json"), std::string::npos);
}
