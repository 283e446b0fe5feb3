// Per-dimension normalization statistics (1st and 99th percentiles) of states and actions over a
// dataset, stored with it. Mapping as in the released X-WAM code: x̂ = 2(x − q01)/(q99 − q01) − 1,
// for states and actions alike; quaternion dims and masked dims pass through unchanged.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "engine/data/Episode.h"

namespace xwam::data {

struct NormStats {
  std::array<float, kStateDim> state_q01{}, state_q99{};
  std::array<float, kActionDim> action_q01{}, action_q99{};
  long long num_samples = 0;

  // Quantiles over every frame of every episode (linear interpolation between order statistics).
  static NormStats compute(const std::vector<const Episode*>& episodes);
  static NormStats compute(const std::vector<Episode>& episodes);

  void normalize_state(const float* in16, float* out16) const;
  void denormalize_state(const float* in16, float* out16) const;
  void normalize_action(const float* in14, float* out14) const;
  void denormalize_action(const float* in14, float* out14) const;

  // Refuses a non-finite quantile, naming `file` and the key (e.g. "key state_q01[3]").
  void check_finite(const std::string& file) const;

  // True for the dims the mapping leaves alone (quaternion components).
  static bool state_dim_is_quaternion(int dim);
};

}  // namespace xwam::data
