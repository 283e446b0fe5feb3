// Warm-up then cosine: the rate rises linearly, peaks after warm-up, halves mid-decay, ends at the floor.
#include <gtest/gtest.h>

#include "engine/train/LrSchedule.h"

using xwam::train::LrSchedule;

TEST(LrSchedule, WarmupThenCosine) {
  LrSchedule s{1e-4, 100, 1100, 1e-6};
  EXPECT_NEAR(s.at(0), 1e-6, 1e-12);
  EXPECT_NEAR(s.at(49), 5e-5, 1e-12);
  EXPECT_NEAR(s.at(100), 1e-4, 1e-12);
  EXPECT_NEAR(s.at(600), 1e-6 + 0.5 * (1e-4 - 1e-6), 1e-12);
  EXPECT_NEAR(s.at(1100), 1e-6, 1e-12);
  EXPECT_NEAR(s.at(5000), 1e-6, 1e-12);
  for (long long k = 101; k < 1100; ++k) ASSERT_LE(s.at(k), s.at(k - 1));
}
