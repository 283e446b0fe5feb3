// Synthetic episode generator: determinism for a seed, consistent states/actions/cameras, every
// task family solved by the expert with an instruction naming the scene's objects.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "engine/core/Error.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/synthetic/Gripper.h"
#include "engine/data/synthetic/SceneGenerator.h"

namespace xwam::data::synthetic {
namespace {

GeneratorOptions tiny(const std::string& task = "") {
  GeneratorOptions o;
  o.task = task;
  o.width = 32;
  o.height = 24;
  o.frames = 48;
  return o;
}

TEST(SyntheticScene, SameSeedSameEpisodeDifferentSeedDifferentEpisode) {
  GeneratorOptions o = tiny();
  o.width = 64;
  o.height = 48;
  const Episode a = generate_episode(o, 42), b = generate_episode(o, 42), c = generate_episode(o, 43);
  EXPECT_EQ(a.instruction, b.instruction);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.actions, b.actions);
  EXPECT_EQ(a.rgb, b.rgb);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.source.at("object_poses").values, b.source.at("object_poses").values);
  EXPECT_NE(a.states, c.states);
  EXPECT_NE(a.rgb, c.rgb);
}

TEST(SyntheticScene, EpisodeIsConsistent) {
  const GeneratorOptions o = tiny("pick_place");
  const Episode ep = generate_episode(o, 7);
  EXPECT_NO_THROW(ep.validate("memory"));
  ASSERT_EQ(ep.num_frames, o.frames);
  EXPECT_EQ(ep.task, "pick_place");
  ASSERT_TRUE(ep.success.has_value());
  EXPECT_TRUE(*ep.success);
  ASSERT_EQ(ep.cameras.size(), 3u);
  EXPECT_EQ(ep.cameras[0].name, "main");
  EXPECT_EQ(ep.cameras[2].mount, CameraMount::Wrist);
  for (const CameraInfo& cam : ep.cameras) {
    EXPECT_TRUE(cam.calibrated()) << cam.name;
    EXPECT_TRUE(cam.has_depth) << cam.name;
    EXPECT_EQ(cam.width, o.width);
  }
  for (int d = 0; d < kStateDim; ++d) EXPECT_EQ(ep.state_mask[d], d < kStatePerArm ? 1 : 0);
  for (int d = 0; d < kActionDim; ++d) EXPECT_EQ(ep.action_mask[d], d < kActionPerArm ? 1 : 0);
  // Every depth pixel is valid (the room encloses the scene).
  for (const auto& depth : ep.depth)
    for (float z : depth) ASSERT_GT(z, 0.0f);

  // Action t takes state t to state t+1; the last action holds still.
  double worst = 0;
  for (int t = 0; t + 1 < ep.num_frames; ++t) {
    const ArmPose next = apply_action(arm_pose_from_state(ep.state(t)), ep.action(t));
    float encoded[kStatePerArm];
    encode_state(next, encoded);
    for (int d = 0; d < kStatePerArm; ++d) worst = std::max(worst, std::abs(double(encoded[d]) - ep.state(t + 1)[d]));
    EXPECT_GE(ep.state(t)[3], 0.0f) << "quaternion w";
    EXPECT_GE(ep.state(t)[7], 0.0f);
    EXPECT_LE(ep.state(t)[7], GripperGeometry::kMaxOpening + 1e-6);
    for (int d = kStatePerArm; d < kStateDim; ++d) EXPECT_EQ(ep.state(t)[d], 0.0f);
  }
  EXPECT_LT(worst, 1e-5);
  for (int d = 0; d < kActionDim; ++d) EXPECT_EQ(ep.action(ep.num_frames - 1)[d], 0.0f);
  // The expert moves the arm and the gripper.
  double travel = 0, gripper_change = 0;
  for (int t = 0; t + 1 < ep.num_frames; ++t) {
    travel += Eigen::Vector3f(ep.action(t)[0], ep.action(t)[1], ep.action(t)[2]).norm();
    gripper_change += std::abs(ep.action(t)[6]);
  }
  EXPECT_GT(travel, 0.3);
  EXPECT_GT(gripper_change, 0.05);

  const SourceArray& poses = ep.source.at("object_poses");
  ASSERT_EQ(poses.shape.size(), 3u);
  EXPECT_EQ(poses.shape[0], ep.num_frames);
  EXPECT_EQ(poses.shape[2], 7);
  EXPECT_EQ(poses.values.size(), static_cast<size_t>(poses.shape[0] * poses.shape[1] * 7));
}

TEST(SyntheticScene, EveryTaskFamilyIsSolvedByTheExpert) {
  for (const std::string& task : task_names()) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      const GeneratorOptions o = tiny(task);
      const SceneSpec spec = episode_spec(o, seed);
      const Episode ep = generate_episode(o, seed);
      EXPECT_EQ(ep.task, task);
      EXPECT_TRUE(ep.success.value_or(false)) << task << " seed " << seed;
      // The instruction names the object (colour + shape) and, where there is one, the target.
      EXPECT_NE(ep.instruction.find(spec.objects[spec.task.object].description()), std::string::npos) << ep.instruction;
      if (spec.task.target >= 0)
        EXPECT_NE(ep.instruction.find(spec.objects[spec.task.target].description()), std::string::npos)
            << ep.instruction;
      EXPECT_EQ(ep.instruction, spec.task.instruction);
    }
  }
}

TEST(SyntheticScene, DatasetMixesTasksNamesEpisodesAndCancels) {
  const GeneratorOptions o = tiny();
  std::vector<Episode> episodes;
  int progress_events = 0;
  generate_episodes(
      o, 8, 5, [&](Episode&& ep) { episodes.push_back(std::move(ep)); },
      [&](const Progress& p) {
        ++progress_events;
        EXPECT_EQ(p.stage, "generate");
        EXPECT_EQ(p.total, 8);
      });
  ASSERT_EQ(episodes.size(), 8u);
  EXPECT_EQ(progress_events, 8);
  EXPECT_EQ(episodes[0].name, "episode_000000");
  EXPECT_EQ(episodes[7].name, "episode_000007");
  std::set<std::string> tasks, instructions;
  for (const Episode& ep : episodes) {
    tasks.insert(ep.task);
    instructions.insert(ep.instruction);
    EXPECT_TRUE(ep.success.value_or(false)) << ep.name << " " << ep.instruction;
  }
  EXPECT_GE(tasks.size(), 2u);
  EXPECT_GE(instructions.size(), 6u);

  CancelToken cancel;
  int produced = 0;
  EXPECT_THROW(generate_episodes(
                   o, 8, 5,
                   [&](Episode&&) {
                     if (++produced == 2) cancel.cancel();
                   },
                   {}, &cancel),
               Cancelled);
  EXPECT_EQ(produced, 2);
  EXPECT_THROW(generate_episode(o, 1, &cancel), Cancelled);
}

TEST(SyntheticScene, TwoArmsAddAWristCameraAndAnIdleSecondArm) {
  GeneratorOptions o = tiny("lift");
  o.arms = 2;
  const Episode ep = generate_episode(o, 4);
  ASSERT_EQ(ep.cameras.size(), 4u);
  EXPECT_EQ(ep.cameras[3].name, "wrist1");
  EXPECT_EQ(ep.cameras[3].arm, 1);
  for (int d = 0; d < kStateDim; ++d) EXPECT_EQ(ep.state_mask[d], 1);
  for (int d = 0; d < kActionDim; ++d) EXPECT_EQ(ep.action_mask[d], 1);
  for (int t = 0; t < ep.num_frames; ++t)
    for (int d = kStatePerArm; d < kStateDim; ++d) EXPECT_EQ(ep.state(t)[d], ep.state(0)[d]);
  EXPECT_TRUE(ep.success.value_or(false));
}

TEST(SyntheticScene, BadOptionsAreRejected) {
  GeneratorOptions o = tiny("juggle");
  EXPECT_THROW(generate_episode(o, 1), Error);
  o = tiny();
  o.width = 8;
  EXPECT_THROW(o.validate(), Error);
  o = tiny();
  o.frames = 4;
  EXPECT_THROW(o.validate(), Error);
  o = tiny();
  o.arms = 3;
  EXPECT_THROW(o.validate(), Error);
}

}  // namespace
}  // namespace xwam::data::synthetic
