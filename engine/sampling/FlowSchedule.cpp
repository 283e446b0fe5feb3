#include "engine/sampling/FlowSchedule.h"

#include <cmath>

#include "engine/core/Error.h"

namespace xwam::sampling {

double shift_sigma(double sigma, double shift) { return shift * sigma / (1.0 + (shift - 1.0) * sigma); }

FlowSchedule FlowSchedule::make(int steps, double shift, int num_train_timesteps) {
  if (steps < 1) throw Error("number of denoising steps must be at least 1, got " + std::to_string(steps));
  if (!(shift > 0)) throw Error("timestep shift must be positive");
  FlowSchedule s;
  // The training grid's largest σ (the released scheduler is built with shift 1 and shifts only here).
  const double sigma_max = static_cast<float>(1.0 - 1.0 / num_train_timesteps);
  for (int i = 0; i < steps; ++i) {
    const double linear = sigma_max * (1.0 - static_cast<double>(i) / steps);
    const double sigma = shift_sigma(linear, shift);
    // The released scheduler computes in float32; round through float so timesteps match it exactly.
    s.sigmas.push_back(static_cast<float>(sigma));
    s.timesteps.push_back(std::floor(static_cast<float>(sigma * num_train_timesteps)));
  }
  s.sigmas.push_back(0.0);
  return s;
}

}  // namespace xwam::sampling
