#include "engine/sampling/FlowSchedule.h"

#include <cmath>

#include "engine/core/Error.h"

namespace xwam::sampling {

double shift_sigma(double sigma, double shift) { return shift * sigma / (1.0 + (shift - 1.0) * sigma); }

FlowSchedule FlowSchedule::make(int steps, double shift, int num_train_timesteps) {
  if (steps < 1) throw Error("number of denoising steps must be at least 1, got " + std::to_string(steps));
  if (!(shift > 0)) throw Error("timestep shift must be positive");
  FlowSchedule s;
  // The training grid's largest σ, held in float32 by the released scheduler (built with shift 1).
  const double sigma_max = static_cast<float>(1.0 - 1.0 / num_train_timesteps);
  // From here on the released scheduler computes in float64 (numpy), and in numpy's order of operations:
  // linspace(σ_max, 0, steps + 1) is i·step + σ_max with step = (0 − σ_max) / steps. The timesteps are
  // 1000·σ truncated to int64; the solver's σ are the same values rounded to float32.
  const double step = (0.0 - sigma_max) / steps;
  for (int i = 0; i < steps; ++i) {
    const double linear = static_cast<double>(i) * step + sigma_max;
    const double sigma = shift_sigma(linear, shift);
    s.sigmas.push_back(static_cast<float>(sigma));
    s.timesteps.push_back(std::trunc(sigma * num_train_timesteps));
  }
  s.sigmas.push_back(0.0);
  return s;
}

}  // namespace xwam::sampling
