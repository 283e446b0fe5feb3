// Chamfer distance and action/state errors on cases with known answers.
#include "engine/geometry/CloudMetrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/geometry/VectorMetrics.h"

using namespace xwam;

namespace {
geometry::CloudFrame grid(float spacing, float shift_x) {
  geometry::CloudFrame c;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      for (int k = 0; k < 5; ++k) {
        c.xyz.insert(c.xyz.end(), {spacing * i + shift_x, spacing * j, spacing * k});
        c.rgb.insert(c.rgb.end(), {0, 0, 0});
        c.view.push_back(0);
      }
  return c;
}
}  // namespace

TEST(CloudMetrics, IdenticalCloudsHaveZeroChamfer) {
  const auto a = grid(0.1f, 0.0f);
  EXPECT_EQ(geometry::chamfer_distance(a, a), 0.0);
}

TEST(CloudMetrics, KnownShiftGivesTwiceTheSquaredShift) {
  // Shift 0.01 m on a 0.1 m grid: every nearest neighbour is the shifted twin → CD = s² + s².
  const auto a = grid(0.1f, 0.0f), b = grid(0.1f, 0.01f);
  EXPECT_NEAR(geometry::chamfer_distance(a, b), 2 * 0.01 * 0.01, 1e-9);
  const auto d = geometry::nearest_distances(a, b);
  for (float v : d) EXPECT_NEAR(v, 0.01f, 1e-6);
}

TEST(CloudMetrics, AsymmetricCloudsUseBothDirectedMeans) {
  geometry::CloudFrame a, b;
  a.xyz = {0, 0, 0};
  a.rgb = {0, 0, 0};
  a.view = {0};
  b.xyz = {0, 0, 0, 1, 0, 0};
  b.rgb = {0, 0, 0, 0, 0, 0};
  b.view = {0, 0};
  // A→B: 0. B→A: (0 + 1)/2.
  EXPECT_NEAR(geometry::chamfer_distance(a, b), 0.5, 1e-12);
  EXPECT_EQ(geometry::chamfer_distance(geometry::CloudFrame{}, geometry::CloudFrame{}), 0.0);
  EXPECT_THROW(geometry::chamfer_distance(a, geometry::CloudFrame{}), Error);
}

TEST(VectorMetrics, MaskedMseOverall_AndPerDimension) {
  const std::vector<float> pred = {1, 2, 3, 1, 2, 3}, ref = {1, 0, 0, 1, 2, 0};
  const uint8_t mask[] = {1, 1, 0};
  const auto e = geometry::vector_errors(pred.data(), ref.data(), 2, 3, mask);
  EXPECT_DOUBLE_EQ(e.mse_per_dim[0], 0.0);
  EXPECT_DOUBLE_EQ(e.mse_per_dim[1], 2.0);  // (4 + 0)/2
  EXPECT_TRUE(std::isnan(e.mse_per_dim[2]));  // masked: not compared
  EXPECT_DOUBLE_EQ(e.mse, 1.0);             // (0 + 4 + 0 + 0)/4
  EXPECT_DOUBLE_EQ(geometry::vector_errors(pred.data(), ref.data(), 2, 3).mse, (4 + 9 + 9) / 6.0);
}
