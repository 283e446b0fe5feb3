// Flow-matching noise levels for sampling, as Wan2.2 builds them: σ from (nearly) 1 down to 0 with the
// timestep shift σ' = shift·σ / (1 + (shift − 1)·σ). x_σ = (1 − σ)·x_0 + σ·ε; the network sees t = 1000·σ.
#pragma once
#include <vector>

namespace xwam::sampling {

double shift_sigma(double sigma, double shift);

struct FlowSchedule {
  // steps + 1 values, strictly decreasing, sigmas.back() == 0.
  std::vector<double> sigmas;
  // steps values: the timestep the network is called with at each step: 1000·σ in float64,
  // truncated to an integer as the released scheduler does (astype(int64)); bit-exact with it.
  std::vector<double> timesteps;

  int steps() const { return static_cast<int>(timesteps.size()); }

  // The Wan2.2 / X-WAM inference schedule: the training grid's largest σ (1 − 1/num_train_timesteps)
  // spaced linearly to 0 over `steps`, then shifted; final σ = 0.
  // With shift 5 and 10 steps the timesteps are 999, 978, 952, 920, 882, 833, 768, 681, 555, 356.
  static FlowSchedule make(int steps, double shift, int num_train_timesteps = 1000);
};

}  // namespace xwam::sampling
