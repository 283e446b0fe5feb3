#include "engine/train/LrSchedule.h"

#include <algorithm>
#include <cmath>

namespace xwam::train {

double LrSchedule::at(long long step) const {
  if (warmup_steps > 0 && step < warmup_steps) return peak_lr * static_cast<double>(step + 1) / warmup_steps;
  const long long decay_steps = std::max<long long>(1, total_steps - warmup_steps);
  const double progress = std::clamp(static_cast<double>(step - warmup_steps) / decay_steps, 0.0, 1.0);
  return final_lr + 0.5 * (peak_lr - final_lr) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace xwam::train
