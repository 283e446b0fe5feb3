// Closed-loop scoring: the scripted expert as a policy succeeds, doing nothing fails, per-task tallies add up.
#include <gtest/gtest.h>

#include "engine/core/Error.h"
#include "engine/data/synthetic/ClosedLoop.h"

using namespace xwam::data::synthetic;

namespace {
ClosedLoopOptions small_options() {
  ClosedLoopOptions o;
  o.generator.width = 32;
  o.generator.height = 24;
  o.generator.frames = 48;
  return o;
}
}  // namespace

TEST(ClosedLoop, ExpertSucceedsAndZeroActionFails) {
  const auto options = small_options();
  const std::vector<uint64_t> seeds = {1, 2, 3, 4, 5, 6};
  auto expert = evaluate_closed_loop([&](const SceneSpec& spec) { return make_expert_policy(spec, options.generator.frames); },
                                     options, seeds);
  EXPECT_EQ(expert.policy, "scripted expert");
  EXPECT_DOUBLE_EQ(expert.success_rate(), 1.0);
  int tallied = 0;
  for (const auto& [task, tally] : expert.per_task) tallied += tally.episodes;
  EXPECT_EQ(tallied, 6);
  for (const auto& e : expert.episodes) {
    EXPECT_FALSE(e.instruction.empty());
    EXPECT_LT(e.steps, options.generator.frames);
  }
  auto zero = evaluate_closed_loop([](const SceneSpec&) { return make_zero_policy(8); }, options, seeds);
  EXPECT_DOUBLE_EQ(zero.success_rate(), 0.0);
  for (const auto& e : zero.episodes) EXPECT_EQ(e.chunks, (options.generator.frames - 1 + 7) / 8);
}

TEST(ClosedLoop, ObservationIsTheCurrentFrameAndCancelStops) {
  const auto options = small_options();
  TabletopSim sim(episode_spec(options.generator, 9));
  xwam::data::Episode now = observation(sim, "do it", 10.0);
  EXPECT_EQ(now.num_frames, 1);
  EXPECT_EQ(now.first_frame, 0);
  EXPECT_EQ(now.cameras.size(), sim.spec().cameras.size());
  EXPECT_EQ(now.rgb[0].size(), 32u * 24 * 3);
  EXPECT_NO_THROW(now.validate("observation"));
  xwam::CancelToken cancel;
  cancel.cancel();
  EXPECT_THROW(evaluate_closed_loop([](const SceneSpec&) { return make_zero_policy(); }, options, {1}, {}, &cancel),
               xwam::Cancelled);
}
