// ODE solvers for flow-matching sampling. A solver walks one tensor along a FlowSchedule: each step
// takes the network's velocity prediction v ≈ ε − x_0 at the current σ and returns x at the next σ.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

#include "engine/sampling/FlowSchedule.h"

namespace xwam::sampling {

class FlowSolver {
 public:
  explicit FlowSolver(FlowSchedule schedule) : schedule_(std::move(schedule)) {}
  virtual ~FlowSolver() = default;

  // Advances `sample` (at sigmas[step_index()]) by one step given `velocity` evaluated there.
  // Shapes of sample and velocity must match; computation in float32, result in sample's dtype.
  virtual torch::Tensor step(const torch::Tensor& velocity, const torch::Tensor& sample) = 0;

  int step_index() const { return step_; }
  bool done() const { return step_ >= schedule_.steps(); }
  double sigma() const { return schedule_.sigmas[std::min<size_t>(step_, schedule_.sigmas.size() - 1)]; }
  double timestep() const { return done() ? 0.0 : schedule_.timesteps[step_]; }
  const FlowSchedule& schedule() const { return schedule_; }

 protected:
  FlowSchedule schedule_;
  int step_ = 0;
};

// x_{i+1} = x_i + (σ_{i+1} − σ_i)·v: first order.
class EulerSolver : public FlowSolver {
 public:
  using FlowSolver::FlowSolver;
  torch::Tensor step(const torch::Tensor& velocity, const torch::Tensor& sample) override;
};

// UniPC multistep (Zhao et al. 2023) in the data-prediction form with B(h) = e^h − 1 ("bh2"),
// predictor order up to 2 plus the UniC corrector, lower order on the final step — the solver
// Wan2.2 and X-WAM sample with. Works in λ = log((1 − σ)/σ).
class UniPCSolver : public FlowSolver {
 public:
  explicit UniPCSolver(FlowSchedule schedule, int order = 2);
  torch::Tensor step(const torch::Tensor& velocity, const torch::Tensor& sample) override;

 private:
  torch::Tensor predictor(const torch::Tensor& sample, int order) const;
  torch::Tensor corrector(const torch::Tensor& x0_now, int order) const;
  double lambda(int index) const;

  int order_;
  // x_0 predictions of the last two steps (newest last) and the sample the last predictor started from.
  torch::Tensor x0_prev_, x0_last_;
  torch::Tensor last_sample_;
  int last_order_ = 0;
  int warm_steps_ = 0;
};

enum class SolverKind { Euler, UniPC };
SolverKind solver_kind_from_string(const std::string& name);  // "euler" | "unipc"; throws xwam::Error
std::unique_ptr<FlowSolver> make_solver(SolverKind kind, FlowSchedule schedule);

}  // namespace xwam::sampling
