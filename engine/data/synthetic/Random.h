// Deterministic random numbers for the synthetic scenes: the same seed gives the same numbers on
// every platform (no std::random_device, no implementation-defined std:: distributions).
#pragma once
#include <cstdint>

namespace xwam::data::synthetic {

// SplitMix64 finaliser: a well-mixed 64-bit hash, used to derive independent seeds.
uint64_t mix_seed(uint64_t seed, uint64_t stream);

// xoshiro256** seeded through SplitMix64. Not thread-safe; one generator per thread of work.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next_u64();
  double uniform01();                    // [0, 1), 53 random bits
  double uniform(double lo, double hi);  // [lo, hi)
  int index(int n);                      // uniform integer in [0, n), unbiased; n > 0
  bool chance(double p);                 // true with probability p

 private:
  uint64_t s_[4];
};

}  // namespace xwam::data::synthetic
