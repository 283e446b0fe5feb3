// The asynchronous denoiser: schedule invariants, action-first hand-out, modes, seeds, cancellation.
#include <gtest/gtest.h>

#include "engine/core/Error.h"
#include "engine/sampling/Denoiser.h"
#include "tests/sampling/GaussianFlow.h"

using namespace xwam::sampling;

namespace {

// Every modality follows a known Gaussian flow; records what each call was asked.
class AnalyticNetwork : public DenoisingNetwork {
 public:
  Prediction predict(const NetworkCall& call) override {
    calls.push_back({call.video_t, call.action_t, call.depth, call.future_video});
    Prediction p;
    if (call.x.video.defined() && call.future_video) p.video = flow.velocity(call.x.video, call.video_t / 1000.0);
    if (call.x.state.defined()) p.state = flow.velocity(call.x.state, call.state_t / 1000.0);
    if (call.x.action.defined()) p.action = flow.velocity(call.x.action, call.action_t / 1000.0);
    if (call.depth) p.depth = torch::ones({2});
    return p;
  }
  struct Seen {
    double video_t, action_t;
    bool depth, future_video;
  };
  std::vector<Seen> calls;
  xwam::testing::GaussianFlow flow;
};

Tokens noise(uint64_t seed) {
  auto opt = torch::TensorOptions().dtype(torch::kFloat32);
  return {seeded_noise({1, 3, 4, 2, 2}, seed, 0, opt), seeded_noise({1, 8, 16}, seed, 1, opt),
          seeded_noise({1, 32, 14}, seed, 2, opt)};
}

}  // namespace

TEST(Denoiser, AsyncRunKeepsVideoNoisierAndHandsTheActionOutFirst) {
  AnalyticNetwork net;
  auto plan = DenoisePlan::make({Mode::XWam, 10, 50, 5.0});
  std::vector<PlannedCall> seen;
  int ready_at = -1;
  Tokens at_ready;
  DenoiseCallbacks cb;
  cb.on_call = [&](const PlannedCall& c, double) { seen.push_back(c); };
  cb.on_action_ready = [&](const Tokens& t, double) {
    ready_at = static_cast<int>(seen.size());
    at_ready.action = t.action.clone();
  };
  auto result = denoise(net, plan, noise(1), SolverKind::UniPC, 1.0, cb, nullptr);
  ASSERT_EQ(net.calls.size(), 50u);
  EXPECT_EQ(ready_at, 10);  // after the 10th network call
  for (const auto& c : net.calls) EXPECT_GE(c.video_t, c.action_t);
  for (size_t i = 10; i < net.calls.size(); ++i) EXPECT_EQ(net.calls[i].action_t, 0.0) << "action must stay clean";
  // The depth branch runs exactly once, on the final call, never while the action is pending.
  for (size_t i = 0; i + 1 < net.calls.size(); ++i) EXPECT_FALSE(net.calls[i].depth);
  EXPECT_TRUE(net.calls.back().depth);
  EXPECT_TRUE(result.depth.defined());
  // The action handed out early is the final one, and it reached the data distribution.
  EXPECT_TRUE(torch::equal(at_ready.action, result.clean.action));
  EXPECT_NEAR(result.clean.action.mean().item<double>(), net.flow.mu, 0.03);
  EXPECT_NEAR(result.clean.video.mean().item<double>(), net.flow.mu, 0.03);
  EXPECT_GE(result.action_ms, 0.0);
}

TEST(Denoiser, SyncWaitsForAllStepsAndFastWamSeesNoFutureVideo) {
  AnalyticNetwork sync_net;
  int sync_ready = -1, calls = 0;
  DenoiseCallbacks cb;
  cb.on_call = [&](const PlannedCall&, double) { ++calls; };
  cb.on_action_ready = [&](const Tokens&, double) { sync_ready = calls; };
  denoise(sync_net, DenoisePlan::make({Mode::Sync, 10, 50, 5.0}), noise(2), SolverKind::UniPC, 1.0, cb, nullptr);
  EXPECT_EQ(sync_ready, 50);
  for (const auto& c : sync_net.calls) EXPECT_EQ(c.video_t, c.action_t);

  AnalyticNetwork fast_net;
  Tokens start = noise(2);
  start.video = torch::Tensor();
  auto result = denoise(fast_net, DenoisePlan::make({Mode::FastWam, 10, 50, 5.0}), start, SolverKind::UniPC, 1.0, {}, nullptr);
  EXPECT_EQ(fast_net.calls.size(), 10u);
  for (const auto& c : fast_net.calls) {
    EXPECT_FALSE(c.future_video);
    EXPECT_FALSE(c.depth);
  }
  EXPECT_FALSE(result.clean.video.defined());
  EXPECT_NEAR(result.clean.action.mean().item<double>(), fast_net.flow.mu, 0.03);
}

TEST(Denoiser, ActionConditionedKeepsTheGivenActionsClean) {
  AnalyticNetwork net;
  Tokens start = noise(3);
  start.action = torch::full({1, 32, 14}, 0.25);
  auto result = denoise(net, DenoisePlan::make({Mode::ActionConditioned, 10, 20, 5.0}), start, SolverKind::UniPC, 1.0, {}, nullptr);
  EXPECT_EQ(net.calls.size(), 20u);
  for (const auto& c : net.calls) EXPECT_EQ(c.action_t, 0.0);
  EXPECT_TRUE(torch::equal(result.clean.action, start.action));
  EXPECT_EQ(result.action_ms, -1);
}

TEST(Denoiser, SameSeedSameOutputAndGuidanceDoublesTheCalls) {
  AnalyticNetwork a, b, c;
  auto plan = DenoisePlan::make({Mode::XWam, 4, 8, 5.0});
  auto ra = denoise(a, plan, noise(7), SolverKind::UniPC, 1.0, {}, nullptr);
  auto rb = denoise(b, plan, noise(7), SolverKind::UniPC, 1.0, {}, nullptr);
  EXPECT_TRUE(torch::equal(ra.clean.video, rb.clean.video));
  EXPECT_TRUE(torch::equal(ra.clean.action, rb.clean.action));
  EXPECT_FALSE(torch::equal(noise(7).video, noise(8).video));
  auto rc = denoise(c, plan, noise(7), SolverKind::UniPC, 3.0, {}, nullptr);
  EXPECT_EQ(rc.network_calls, 8);
  EXPECT_EQ(c.calls.size(), 16u);
}

TEST(Denoiser, CancelStopsBetweenCalls) {
  AnalyticNetwork net;
  xwam::CancelToken cancel;
  DenoiseCallbacks cb;
  cb.on_call = [&](const PlannedCall& call, double) {
    if (call.index == 4) cancel.cancel();
  };
  EXPECT_THROW(denoise(net, DenoisePlan::make({Mode::XWam, 10, 50, 5.0}), noise(1), SolverKind::UniPC, 1.0, cb, &cancel),
               xwam::Cancelled);
  EXPECT_EQ(net.calls.size(), 5u);
}

TEST(DenoisePlan, RejectsImpossibleRequestsBeforeAnyCompute) {
  EXPECT_THROW(mode_from_string("fast"), xwam::Error);
  EXPECT_THROW(DenoisePlan::make({Mode::XWam, 20, 10, 5.0}), xwam::Error);
  EXPECT_THROW(DenoisePlan::make({Mode::XWam, 0, 10, 5.0}), xwam::Error);
  EXPECT_EQ(mode_from_string("action-conditioned"), Mode::ActionConditioned);
}
