#include "engine/train/TimestepSampler.h"

#include <cmath>
#include <sstream>

#include "engine/core/Error.h"

namespace xwam::train {

TimestepScheme timestep_scheme_from_string(const std::string& name) {
  if (name == "ans") return TimestepScheme::ANS;
  if (name == "decoupled") return TimestepScheme::Decoupled;
  if (name == "sync") return TimestepScheme::Sync;
  throw Error("unknown timestep scheme '" + name + "' (expected ans, decoupled or sync)");
}

TimestepSampler::TimestepSampler(TimestepSamplerOptions options, uint64_t seed) : options_(options), rng_(seed) {
  if (options_.clean_action_probability < 0 || options_.clean_action_probability > 1)
    throw Error("clean-action probability must lie in [0, 1]");
  if (!(options_.beta_alpha > 0)) throw Error("Beta parameter must be positive");
}

double TimestepSampler::uniform() {
  // 53 random bits → [0, 1): identical on every platform, unlike std::uniform_real_distribution.
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

double TimestepSampler::beta() {
  // Beta(α, 1) has CDF b^α, so inverse-CDF sampling is u^(1/α).
  return std::pow(uniform(), 1.0 / options_.beta_alpha);
}

SampledTimesteps TimestepSampler::sample() {
  SampledTimesteps t;
  switch (options_.scheme) {
    case TimestepScheme::ANS:
      if (uniform() < options_.clean_action_probability) {
        t.action_clean = true;
        t.action = 0.0;
        t.video = uniform();
      } else {
        t.action = uniform();
        t.video = t.action + (1.0 - t.action) * beta();
      }
      break;
    case TimestepScheme::Decoupled:
      t.action = uniform();
      t.video = uniform();
      break;
    case TimestepScheme::Sync:
      t.video = t.action = uniform();
      break;
  }
  // The shift is monotonic, so t_O ≥ t_a survives it.
  auto shift = [s = options_.shift](double x) { return s * x / (1.0 + (s - 1.0) * x); };
  t.video = shift(t.video);
  t.action = shift(t.action);
  t.state = t.video;
  return t;
}

std::string TimestepSampler::state() const {
  std::ostringstream out;
  out << rng_;
  return out.str();
}

void TimestepSampler::set_state(const std::string& state) {
  std::istringstream in(state);
  in >> rng_;
  if (!in) throw Error("corrupt timestep-sampler state in checkpoint");
}

}  // namespace xwam::train
