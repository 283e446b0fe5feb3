// Cloud directories: sequence.json as docs/geometry.md specifies it, and reading it back.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "TempDir.h"
#include "TestScene.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;
namespace fs = std::filesystem;

TEST(CloudDirectory, ManifestFollowsTheSpecAndRoundTrips) {
  const auto dir = test::temp_dir();
  const data::Episode ep = test::make_tabletop(3, 32, 24);
  const auto seq = geometry::fuse_recorded(ep, {0, 2}, {});
  geometry::write_cloud_directory((dir / "clouds").string(), seq);

  std::ifstream in(dir / "clouds" / "sequence.json");
  const auto m = nlohmann::json::parse(in);
  EXPECT_EQ(m.at("frames"), 2);
  EXPECT_EQ(m.at("files"), (nlohmann::json{"frame_000000.ply", "frame_000001.ply"}));
  ASSERT_EQ(m.at("cameras").size(), 3u);
  EXPECT_EQ(m["cameras"][2]["name"], "wrist");
  EXPECT_EQ(m["cameras"][0]["K"].size(), 4u);
  EXPECT_EQ(m["cameras"][0]["T_world_cam"].size(), 16u);
  EXPECT_EQ(m["cameras"][0]["width"], 32);
  ASSERT_EQ(m.at("camera_poses").size(), 2u);
  ASSERT_EQ(m["camera_poses"][1].size(), 3u);
  EXPECT_EQ(m["camera_poses"][1][2].size(), 16u);
  // Row-major: the translation is elements 3, 7, 11.
  const Eigen::Matrix4d wrist2 = test::ee_pose(2).matrix() * test::wrist_hand_eye();
  EXPECT_NEAR(m["camera_poses"][1][2][3].get<double>(), wrist2(0, 3), 1e-6);
  EXPECT_NEAR(m["camera_poses"][1][2][7].get<double>(), wrist2(1, 3), 1e-6);
  ASSERT_EQ(m.at("trajectory").size(), 2u);
  EXPECT_NEAR(m["trajectory"][1][1].get<double>(), test::ee_pose(2).translation().y(), 1e-6);

  const auto back = geometry::read_cloud_directory((dir / "clouds").string());
  ASSERT_EQ(back.frames.size(), 2u);
  EXPECT_EQ(back.frames[1].xyz, seq.frames[1].xyz);
  EXPECT_EQ(back.frames[1].view, seq.frames[1].view);
  EXPECT_EQ(back.frame_indices, (std::vector<int>{0, 2}));
  EXPECT_EQ(back.cameras[1].name, "side");
  EXPECT_LT((back.camera_poses[1][2] - wrist2).cwiseAbs().maxCoeff(), 1e-6);
}
