#include "engine/sampling/FlowSolver.h"

#include <cmath>
#include <limits>

#include "engine/core/Error.h"

namespace xwam::sampling {

torch::Tensor EulerSolver::step(const torch::Tensor& velocity, const torch::Tensor& sample) {
  if (done()) throw Error("solver stepped past the end of its schedule");
  const double ds = schedule_.sigmas[step_ + 1] - schedule_.sigmas[step_];
  auto out = (sample.to(torch::kFloat32) + ds * velocity.to(torch::kFloat32)).to(sample.scalar_type());
  ++step_;
  return out;
}

UniPCSolver::UniPCSolver(FlowSchedule schedule, int order) : FlowSolver(std::move(schedule)), order_(order) {
  if (order < 1 || order > 2) throw Error("UniPC order must be 1 or 2");
}

double UniPCSolver::lambda(int index) const {
  const double sigma = schedule_.sigmas[index];
  if (sigma <= 0.0) return std::numeric_limits<double>::infinity();
  return std::log(1.0 - sigma) - std::log(sigma);
}

namespace {

// The B(h) = e^h − 1 coefficients of UniPC for order ≤ 2 (data prediction, so hh = −h).
struct UniCoefficients {
  double h_phi_1;  // e^{hh} − 1
  double b_h;      // bh2: e^{hh} − 1
  double b1, b2;   // right-hand side b_k = h·φ_k(hh)·k! / B(h)
};

UniCoefficients coefficients(double h) {
  const double hh = -h;
  UniCoefficients c;
  c.h_phi_1 = std::expm1(hh);
  c.b_h = std::expm1(hh);
  double h_phi_k = std::isinf(hh) ? -1.0 : c.h_phi_1 / hh - 1.0;
  double factorial = 1.0;
  c.b1 = h_phi_k * factorial / c.b_h;
  factorial *= 2.0;
  h_phi_k = std::isinf(hh) ? -0.5 : h_phi_k / hh - 1.0 / factorial;
  c.b2 = h_phi_k * factorial / c.b_h;
  return c;
}

}  // namespace

torch::Tensor UniPCSolver::predictor(const torch::Tensor& x, int order) const {
  const int s0 = step_, t = step_ + 1;
  const double sigma_t = schedule_.sigmas[t], sigma_s0 = schedule_.sigmas[s0];
  const double alpha_t = 1.0 - sigma_t;
  const double h = lambda(t) - lambda(s0);
  const auto c = coefficients(h);
  torch::Tensor out = (sigma_t / sigma_s0) * x - alpha_t * c.h_phi_1 * x0_last_;
  if (order == 2) {
    const double rk = (lambda(s0 - 1) - lambda(s0)) / h;
    const torch::Tensor d1 = (x0_prev_ - x0_last_) / rk;
    out = out - alpha_t * c.b_h * 0.5 * d1;  // order 2 uses the fixed ρ = 1/2
  }
  return out;
}

torch::Tensor UniPCSolver::corrector(const torch::Tensor& x0_now, int order) const {
  const int s0 = step_ - 1, t = step_;
  const double sigma_t = schedule_.sigmas[t], sigma_s0 = schedule_.sigmas[s0];
  const double alpha_t = 1.0 - sigma_t;
  const double h = lambda(t) - lambda(s0);
  const auto c = coefficients(h);
  torch::Tensor base = (sigma_t / sigma_s0) * last_sample_ - alpha_t * c.h_phi_1 * x0_last_;
  const torch::Tensor d1_t = x0_now - x0_last_;
  if (order == 1) return base - alpha_t * c.b_h * (0.5 * d1_t);
  // Solve [[1, 1], [rk, 1]]·ρ = [b1, b2] for the two corrector weights.
  const double rk = (lambda(s0 - 1) - lambda(s0)) / h;
  const double det = 1.0 - rk;
  const double rho0 = (c.b1 - c.b2) / det;
  const double rho1 = (c.b2 - rk * c.b1) / det;
  const torch::Tensor d1 = (x0_prev_ - x0_last_) / rk;
  return base - alpha_t * c.b_h * (rho0 * d1 + rho1 * d1_t);
}

torch::Tensor UniPCSolver::step(const torch::Tensor& velocity, const torch::Tensor& sample_in) {
  if (done()) throw Error("solver stepped past the end of its schedule");
  torch::Tensor sample = sample_in.to(torch::kFloat32);
  const torch::Tensor x0_now = sample - schedule_.sigmas[step_] * velocity.to(torch::kFloat32);

  // Correct the sample the previous predictor produced, using the new evaluation (UniC).
  if (step_ > 0 && last_sample_.defined()) sample = corrector(x0_now, last_order_);

  x0_prev_ = x0_last_;
  x0_last_ = x0_now;
  // Lower order on the final step and while the history is still short (warm-up).
  int order = std::min(order_, schedule_.steps() - step_);
  order = std::min(order, warm_steps_ + 1);
  last_order_ = order;
  last_sample_ = sample;
  torch::Tensor next = predictor(sample, order);
  warm_steps_ = std::min(warm_steps_ + 1, order_);
  ++step_;
  return next.to(sample_in.scalar_type());
}

SolverKind solver_kind_from_string(const std::string& name) {
  if (name == "euler") return SolverKind::Euler;
  if (name == "unipc") return SolverKind::UniPC;
  throw Error("unknown solver '" + name + "' (expected euler or unipc)");
}

std::unique_ptr<FlowSolver> make_solver(SolverKind kind, FlowSchedule schedule) {
  if (kind == SolverKind::Euler) return std::make_unique<EulerSolver>(std::move(schedule));
  return std::make_unique<UniPCSolver>(std::move(schedule));
}

}  // namespace xwam::sampling
