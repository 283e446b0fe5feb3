// Flow schedules match the released numbers; Euler and UniPC converge at their orders on a known ODE.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/sampling/FlowSolver.h"
#include "tests/sampling/GaussianFlow.h"

using namespace xwam::sampling;

TEST(FlowSchedule, MatchesTheReleasedActionAndVideoTimesteps) {
  const auto action = FlowSchedule::make(10, 5.0);
  const std::vector<double> expected = {999, 978, 952, 920, 882, 833, 768, 681, 555, 356};
  EXPECT_EQ(action.timesteps, expected);
  ASSERT_EQ(action.sigmas.size(), 11u);
  EXPECT_EQ(action.sigmas.back(), 0.0);
  const auto video = FlowSchedule::make(50, 5.0);
  EXPECT_EQ(video.timesteps.front(), 999);
  EXPECT_EQ(video.timesteps[9], 957);
  for (size_t i = 1; i < video.sigmas.size(); ++i) EXPECT_LT(video.sigmas[i], video.sigmas[i - 1]);
  EXPECT_NEAR(shift_sigma(0.5, 5.0), 2.5 / 3.0, 1e-12);
  EXPECT_THROW(FlowSchedule::make(0, 5.0), xwam::Error);
}

// The released scheduler truncates float64 timesteps (numpy linspace, then the shift, then ·1000 and
// .astype(int64)). Rounding through float32 first differs at exactly these steps of 1..1000 (shift 5);
// the expected values were computed with numpy from the released set_timesteps.
TEST(FlowSchedule, TimestepsAreTheReleasedFloat64Truncations) {
  struct Case {
    int steps, index;
    double timestep;
  };
  for (const Case& k : {Case{599, 105, 958}, Case{809, 179, 945}, Case{951, 479, 830}}) {
    const auto s = FlowSchedule::make(k.steps, 5.0);
    ASSERT_EQ(s.steps(), k.steps);
    EXPECT_EQ(s.timesteps[k.index - 1], k.timestep + 1) << k.steps << " steps";
    EXPECT_EQ(s.timesteps[k.index], k.timestep) << k.steps << " steps";  // float32 rounding gave timestep + 1
    EXPECT_EQ(s.timesteps[k.index + 1], k.timestep) << k.steps << " steps";
  }
}

namespace {

double endpoint_error(SolverKind kind, int steps, double shift) {
  xwam::testing::GaussianFlow flow;
  auto schedule = FlowSchedule::make(steps, shift);
  auto solver = make_solver(kind, schedule);
  torch::Tensor x0 = torch::linspace(-2.5, 2.5, 64, torch::kFloat64);
  torch::Tensor x = x0.clone();
  while (!solver->done()) x = solver->step(flow.velocity(x, solver->sigma()), x).to(torch::kFloat64);
  torch::Tensor exact = flow.solution(x0, schedule.sigmas.front(), 0.0);
  return (x - exact).abs().max().item<double>();
}

}  // namespace

TEST(FlowSolvers, UniPCBeatsEulerAndConvergesFaster) {
  // Uniform σ steps (shift 1): the asymptotic regime is reached by 10 steps.
  std::vector<double> euler, unipc;
  for (int n : {10, 20, 40, 80}) {
    euler.push_back(endpoint_error(SolverKind::Euler, n, 1.0));
    unipc.push_back(endpoint_error(SolverKind::UniPC, n, 1.0));
  }
  // 10 steps: UniPC lands on the exact endpoint within tolerance, and far better than Euler.
  EXPECT_LT(unipc[0], 1e-2);
  EXPECT_LT(unipc[0], euler[0] / 3);
  // Observed orders from the error ratio per doubling: Euler ≈ 1, UniPC ≈ 2.
  const double euler_order = std::log2(euler[2] / euler[3]);
  const double unipc_order = std::log2(unipc[2] / unipc[3]);
  EXPECT_GT(euler_order, 0.8);
  EXPECT_LT(euler_order, 1.3);
  EXPECT_GT(unipc_order, 1.8);
}

TEST(FlowSolvers, UniPCBeatsEulerOnTheShiftedVideoSchedule) {
  // Shift 5 spends its steps at high noise (as Wan2.2 does); at the video's 50 steps UniPC is
  // still several times more accurate than Euler.
  const double euler = endpoint_error(SolverKind::Euler, 50, 5.0);
  const double unipc = endpoint_error(SolverKind::UniPC, 50, 5.0);
  EXPECT_LT(unipc, 1e-2);
  EXPECT_LT(unipc, euler / 3);
}

TEST(FlowSolvers, ExactDataPredictionLandsExactly) {
  // If the network knows x_0 exactly (point-mass data), every solver must end on it.
  const double target = 0.3;
  for (auto kind : {SolverKind::Euler, SolverKind::UniPC}) {
    auto solver = make_solver(kind, FlowSchedule::make(7, 5.0));
    torch::Tensor x = torch::full({4}, 1.3, torch::kFloat64);
    while (!solver->done()) {
      const double sigma = solver->sigma();
      x = solver->step((x - target) / sigma, x).to(torch::kFloat64);
    }
    EXPECT_NEAR(x.max().item<double>(), target, 1e-5);
    EXPECT_NEAR(x.min().item<double>(), target, 1e-5);
  }
  EXPECT_THROW(solver_kind_from_string("heun"), xwam::Error);
}
