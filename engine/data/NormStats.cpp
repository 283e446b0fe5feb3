#include "engine/data/NormStats.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"

namespace xwam::data {
namespace {

// Quantile with linear interpolation between order statistics (numpy's default "linear").
float quantile(std::vector<float>& values, double q) {
  if (values.empty()) return 0.f;
  const double pos = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  const float v_lo = values[lo];
  const float v_hi = hi == lo ? v_lo : *std::min_element(values.begin() + lo + 1, values.end());
  return static_cast<float>(v_lo + (pos - lo) * (v_hi - v_lo));
}

// A range this small would blow normalized values up; such dims are constant in the data.
constexpr float kMinRange = 1e-6f;

inline float to_unit(float x, float q01, float q99) {
  const float range = q99 - q01;
  return range > kMinRange ? 2.f * (x - q01) / range - 1.f : x - q01;
}

inline float from_unit(float y, float q01, float q99) {
  const float range = q99 - q01;
  return range > kMinRange ? (y + 1.f) * 0.5f * range + q01 : y + q01;
}

}  // namespace

void NormStats::check_finite(const std::string& file) const {
  auto check = [&](const float* values, int dims, const char* key) {
    for (int d = 0; d < dims; ++d)
      if (!std::isfinite(values[d]))
        throw Error(file, std::string("key ") + key + "[" + std::to_string(d) + "]", "is not a finite number");
  };
  check(state_q01.data(), kStateDim, "state_q01");
  check(state_q99.data(), kStateDim, "state_q99");
  check(action_q01.data(), kActionDim, "action_q01");
  check(action_q99.data(), kActionDim, "action_q99");
}

bool NormStats::state_dim_is_quaternion(int dim) {
  const int within = dim % kStatePerArm;
  return within >= 3 && within <= 6;
}

NormStats NormStats::compute(const std::vector<const Episode*>& episodes) {
  NormStats s;
  std::vector<std::vector<float>> state_cols(kStateDim), action_cols(kActionDim);
  for (const Episode* ep : episodes) {
    for (int t = 0; t < ep->num_frames; ++t) {
      for (int d = 0; d < kStateDim; ++d) state_cols[d].push_back(ep->state(t)[d]);
      for (int d = 0; d < kActionDim; ++d) action_cols[d].push_back(ep->action(t)[d]);
    }
    s.num_samples += ep->num_frames;
  }
  if (s.num_samples == 0) throw Error("cannot compute normalization statistics of an empty dataset");
  for (int d = 0; d < kStateDim; ++d) {
    s.state_q01[d] = quantile(state_cols[d], 0.01);
    s.state_q99[d] = quantile(state_cols[d], 0.99);
  }
  for (int d = 0; d < kActionDim; ++d) {
    s.action_q01[d] = quantile(action_cols[d], 0.01);
    s.action_q99[d] = quantile(action_cols[d], 0.99);
  }
  return s;
}

NormStats NormStats::compute(const std::vector<Episode>& episodes) {
  std::vector<const Episode*> ptrs;
  for (const auto& ep : episodes) ptrs.push_back(&ep);
  return compute(ptrs);
}

void NormStats::normalize_state(const float* in, float* out) const {
  for (int d = 0; d < kStateDim; ++d)
    out[d] = state_dim_is_quaternion(d) ? in[d] : to_unit(in[d], state_q01[d], state_q99[d]);
}

void NormStats::denormalize_state(const float* in, float* out) const {
  for (int d = 0; d < kStateDim; ++d)
    out[d] = state_dim_is_quaternion(d) ? in[d] : from_unit(in[d], state_q01[d], state_q99[d]);
}

void NormStats::normalize_action(const float* in, float* out) const {
  for (int d = 0; d < kActionDim; ++d) out[d] = to_unit(in[d], action_q01[d], action_q99[d]);
}

void NormStats::denormalize_action(const float* in, float* out) const {
  for (int d = 0; d < kActionDim; ++d) out[d] = from_unit(in[d], action_q01[d], action_q99[d]);
}

}  // namespace xwam::data
