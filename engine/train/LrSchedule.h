// Learning rate over training steps: linear warm-up from 0 to the peak, then cosine decay to a floor.
#pragma once

namespace xwam::train {

struct LrSchedule {
  double peak_lr = 1e-4;
  long long warmup_steps = 1000;
  long long total_steps = 40000;
  double final_lr = 0.0;

  // step counts from 0; past total_steps the rate stays at final_lr.
  double at(long long step) const;
};

}  // namespace xwam::train
