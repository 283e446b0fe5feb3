// ANS draws the joint (t_a, t_O) distribution of the method; the ablation schemes differ as they should.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/train/TimestepSampler.h"

using namespace xwam::train;

namespace {
// Inverse of the shift, to check the pre-shift distribution.
double unshift(double t, double s) { return t / (s - (s - 1.0) * t); }
}  // namespace

TEST(TimestepSampler, AnsKeepsVideoNoisierWithTheRightMixture) {
  TimestepSamplerOptions opt;
  TimestepSampler sampler(opt, 42);
  const int n = 200000;
  int clean = 0;
  double b_sum = 0;
  int b_count = 0;
  for (int i = 0; i < n; ++i) {
    auto t = sampler.sample();
    ASSERT_GE(t.video, t.action);
    ASSERT_GE(t.action, 0.0);
    ASSERT_LE(t.video, 1.0);
    EXPECT_EQ(t.state, t.video);
    if (t.action_clean) {
      ++clean;
      EXPECT_EQ(t.action, 0.0);
    } else {
      const double ta = unshift(t.action, opt.shift), to = unshift(t.video, opt.shift);
      if (ta < 0.999) {
        b_sum += (to - ta) / (1.0 - ta);
        ++b_count;
      }
    }
  }
  // Share of t_a = 0 is p = 0.5: binomial standard error ≈ 0.0011, allow 4σ.
  EXPECT_NEAR(static_cast<double>(clean) / n, 0.5, 0.0045);
  // b ~ Beta(1.5, 1) has mean 1.5 / 2.5 = 0.6; its std is ≈ 0.255, so the standard error ≈ 0.0008.
  EXPECT_NEAR(b_sum / b_count, 0.6, 0.004);
}

TEST(TimestepSampler, BetaDrawsMatchTheirMoments) {
  TimestepSampler sampler({}, 7);
  double sum = 0, sum_sq = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    double b = sampler.beta();
    sum += b;
    sum_sq += b * b;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.6, 0.004);
  EXPECT_NEAR(var, 1.5 / (2.5 * 2.5 * 3.5), 0.002);  // αβ/((α+β)²(α+β+1))
}

TEST(TimestepSampler, DecoupledCrossesAndSyncTies) {
  TimestepSamplerOptions opt;
  opt.scheme = TimestepScheme::Decoupled;
  TimestepSampler decoupled(opt, 1);
  int action_noisier = 0;
  for (int i = 0; i < 10000; ++i) {
    auto t = decoupled.sample();
    action_noisier += t.action > t.video;
    EXPECT_FALSE(t.action_clean);
  }
  EXPECT_NEAR(action_noisier / 10000.0, 0.5, 0.03);
  opt.scheme = TimestepScheme::Sync;
  TimestepSampler sync(opt, 1);
  for (int i = 0; i < 100; ++i) {
    auto t = sync.sample();
    EXPECT_EQ(t.action, t.video);
  }
  EXPECT_THROW(timestep_scheme_from_string("async"), xwam::Error);
}

TEST(TimestepSampler, SameSeedSameDrawsAndStateRoundTrips) {
  TimestepSampler a({}, 99), b({}, 99);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.sample().video, b.sample().video);
  std::string saved = a.state();
  auto next = a.sample();
  TimestepSampler c({}, 0);
  c.set_state(saved);
  EXPECT_EQ(c.sample().video, next.video);
}
