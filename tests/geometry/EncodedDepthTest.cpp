// Depth kept as 8-bit codes without a metric mapping (the released X-WAM data without CAMERAS.json):
// fusion and depth metrics refuse it, naming the camera and the missing mapping, instead of guessing metres.
#include <gtest/gtest.h>

#include "RolloutBuilder.h"
#include "TestScene.h"
#include "engine/core/Error.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;

namespace {

// The tabletop with the side camera's metric depth replaced by 8-bit codes of unknown mapping.
data::Episode with_encoded_side_camera() {
  data::Episode ep = test::make_tabletop(5, 48, 36);
  const int side = ep.camera_index("side");
  ep.cameras[side].has_depth = false;
  ep.cameras[side].depth_encoded = true;
  ep.depth_code.resize(ep.cameras.size());
  for (float d : ep.depth[side]) ep.depth_code[side].push_back(static_cast<uint8_t>(std::min(255.f, d * 100)));
  ep.depth[side].clear();
  return ep;
}

void expect_names_camera_and_mapping(const std::function<void()>& run) {
  try {
    run();
    FAIL() << "encoded depth was used as metres";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("camera side"), std::string::npos) << msg;
    EXPECT_NE(msg.find("encoded, no metric mapping"), std::string::npos) << msg;
  }
}

}  // namespace

TEST(EncodedDepth, FusionRefusesNamingTheCameraAndTheMissingMapping) {
  const data::Episode ep = with_encoded_side_camera();
  ep.validate("test");
  expect_names_camera_and_mapping([&] { geometry::fuse_recorded(ep, {0}, {}); });
  // The cameras with metric depth still fuse.
  EXPECT_GT(geometry::fuse_recorded(ep, {0}, {}, {"main", "wrist"}).frames[0].size(), 0u);
}

TEST(EncodedDepth, DepthMetricsRefuseNamingTheCameraAndTheMissingMapping) {
  const data::Episode metric = test::make_tabletop(5, 48, 36);
  const geometry::Rollout rollout = test::rollout_from_episode(metric, 0, 1, 3);
  EXPECT_NO_THROW(geometry::evaluate_rollout(metric, rollout));
  expect_names_camera_and_mapping([&] { geometry::evaluate_rollout(with_encoded_side_camera(), rollout); });
}
