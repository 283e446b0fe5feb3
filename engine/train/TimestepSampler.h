// Training timesteps for video and action tokens: Asynchronous Noise Sampling (X-WAM), or the
// decoupled / synchronous ablations. Timesteps are flow-matching σ in [0, 1] after the shift.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace xwam::train {

enum class TimestepScheme {
  ANS,        // p: t_a = 0, t_O ~ U(0,1); else t_a ~ U(0,1), t_O = t_a + (1 − t_a)·b, b ~ Beta(1.5, 1)
  Decoupled,  // t_a, t_O independent U(0,1)
  Sync,       // t_a = t_O ~ U(0,1)
};
TimestepScheme timestep_scheme_from_string(const std::string& name);  // ans | decoupled | sync

struct SampledTimesteps {
  double video = 0;   // σ for video (and state) tokens
  double action = 0;  // σ for action tokens
  double state = 0;   // follows the video timestep
  bool action_clean = false;  // the action-conditioned branch (t_a = 0): action/state losses masked
};

struct TimestepSamplerOptions {
  TimestepScheme scheme = TimestepScheme::ANS;
  double clean_action_probability = 0.5;  // p
  double beta_alpha = 1.5;                // b ~ Beta(alpha, 1)
  double shift = 5.0;                     // t ← shift·t / (1 + (shift − 1)·t), applied to both
};

// Deterministic for a seed on every platform (own uniform mapping, no std distributions).
class TimestepSampler {
 public:
  TimestepSampler(TimestepSamplerOptions options, uint64_t seed);
  SampledTimesteps sample();
  // Raw draws, exposed for the distribution tests: uniform in [0, 1) and Beta(alpha, 1).
  double uniform();
  double beta();
  const TimestepSamplerOptions& options() const { return options_; }
  // The generator state, for resumable training.
  std::string state() const;
  void set_state(const std::string& state);

 private:
  TimestepSamplerOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace xwam::train
