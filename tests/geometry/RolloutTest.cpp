// Rollout directories (docs/rollout-format.md): round trip, fusing them, refusals naming the camera.
#include <gtest/gtest.h>

#include "TempDir.h"
#include "TestScene.h"
#include "engine/core/Error.h"
#include "engine/geometry/Rollout.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;
namespace fs = std::filesystem;

TEST(Rollout, RoundTripsAndRefusesMissingFrames) {
  const auto dir = test::temp_dir();
  const data::Episode ep = test::make_tabletop(3, 32, 24);
  geometry::Rollout r;
  r.scene = "scene.h5";
  r.episode_name = ep.name;
  r.start_frame = 0;
  r.frame_indices = {1, 2};
  for (int c = 0; c < 3; ++c) {
    geometry::RolloutView v{ep.cameras[c].name, 32, 24, {}, {}};
    for (int t = 1; t <= 2; ++t) {
      v.rgb.insert(v.rgb.end(), ep.rgb_frame(c, t), ep.rgb_frame(c, t) + 32 * 24 * 3);
      if (c != 1) v.depth.insert(v.depth.end(), ep.depth_frame(c, t), ep.depth_frame(c, t) + 32 * 24);
    }
    r.views.push_back(v);
  }
  r.states.assign(ep.states.begin() + 16, ep.states.end());
  r.action_frame_indices = {0, 1};
  r.actions.assign(ep.actions.begin(), ep.actions.begin() + 28);
  geometry::write_rollout((dir / "r").string(), r);
  EXPECT_TRUE(fs::exists(dir / "r" / "rgb" / "wrist" / "frame_001.png"));
  EXPECT_TRUE(fs::exists(dir / "r" / "depth" / "main" / "frame_000.f32"));
  EXPECT_FALSE(fs::exists(dir / "r" / "depth" / "side"));

  const auto back = geometry::read_rollout((dir / "r").string());
  EXPECT_EQ(back.frame_indices, r.frame_indices);
  EXPECT_EQ(back.episode_name, "tabletop");
  ASSERT_EQ(back.views.size(), 3u);
  EXPECT_EQ(back.views[2].rgb, r.views[2].rgb);
  EXPECT_EQ(back.views[2].depth, r.views[2].depth);
  EXPECT_TRUE(back.views[1].depth.empty());
  EXPECT_EQ(back.action_frame_indices, r.action_frame_indices);
  for (size_t i = 0; i < r.states.size(); ++i) EXPECT_FLOAT_EQ(back.states[i], r.states[i]);
  for (size_t i = 0; i < r.actions.size(); ++i) EXPECT_FLOAT_EQ(back.actions[i], r.actions[i]);

  // Fusing the rollout: cameras without predicted depth are refused by name unless left out.
  try {
    geometry::fuse_predicted(ep, back, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera side"), std::string::npos) << e.what();
  }
  EXPECT_EQ(geometry::fuse_predicted(ep, back, {}, {"main", "wrist"}).frames.size(), 2u);

  fs::remove(dir / "r" / "rgb" / "wrist" / "frame_001.png");
  try {
    geometry::read_rollout((dir / "r").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera wrist"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frame_001.png"), std::string::npos) << e.what();
  }
}

TEST(Rollout, ValidateNamesTheInconsistentPart) {
  const data::Episode ep = test::make_tabletop(3, 32, 24);
  geometry::Rollout r;
  r.frame_indices = {1, 2};
  r.views.push_back({"main", 32, 24, std::vector<uint8_t>(2 * 32 * 24 * 3), std::vector<float>(32 * 24)});
  try {
    r.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera main"), std::string::npos) << e.what();
  }
  r.views[0].depth.clear();
  r.states.assign(16, 0.0f);  // one row for two frames
  EXPECT_THROW(r.validate(), Error);
  r.states.assign(32, 0.0f);
  r.validate();
  EXPECT_THROW(geometry::write_rollout((test::temp_dir() / "r").string(), geometry::Rollout{}), Error);
}
