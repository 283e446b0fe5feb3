// Image metrics on cases with known answers, and SSIM against a direct (non-separable) evaluation.
#include "engine/geometry/ImageMetrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/core/Error.h"

using namespace xwam;

namespace {
std::vector<uint8_t> noise_image(int W, int H, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> img(static_cast<size_t>(W) * H * 3);
  for (auto& v : img) v = static_cast<uint8_t>(rng() % 256);
  return img;
}

// SSIM the slow way: every 11×11 window, Gaussian weights, per channel.
double ssim_direct(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int W, int H) {
  double w[11][11], sum = 0;
  for (int y = 0; y < 11; ++y)
    for (int x = 0; x < 11; ++x) sum += w[y][x] = std::exp(-((x - 5) * (x - 5) + (y - 5) * (y - 5)) / (2 * 1.5 * 1.5));
  const double C1 = 6.5025, C2 = 58.5225;
  double total = 0;
  int count = 0;
  for (int c = 0; c < 3; ++c)
    for (int y0 = 0; y0 + 11 <= H; ++y0)
      for (int x0 = 0; x0 + 11 <= W; ++x0) {
        double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
        for (int y = 0; y < 11; ++y)
          for (int x = 0; x < 11; ++x) {
            const double g = w[y][x] / sum;
            const double p = a[3 * ((y0 + y) * W + x0 + x) + c], q = b[3 * ((y0 + y) * W + x0 + x) + c];
            mx += g * p, my += g * q, sxx += g * p * p, syy += g * q * q, sxy += g * p * q;
          }
        const double vx = sxx - mx * mx, vy = syy - my * my, cv = sxy - mx * my;
        total += (2 * mx * my + C1) * (2 * cv + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        ++count;
      }
  return total / count;
}
}  // namespace

TEST(ImageMetrics, IdenticalImagesGiveInfinitePsnrAndUnitSsim) {
  const auto img = noise_image(32, 24, 1);
  EXPECT_TRUE(std::isinf(geometry::rgb_psnr(img.data(), img.data(), 32, 24)));
  EXPECT_EQ(geometry::rgb_ssim(img.data(), img.data(), 32, 24), 1.0);
}

TEST(ImageMetrics, ConstantOffsetGivesKnownPsnrAndSsim) {
  std::vector<uint8_t> a(20 * 16 * 3, 100), b(20 * 16 * 3, 105);
  // MSE = 25 → PSNR = 10·log10(255² / 25).
  EXPECT_NEAR(geometry::rgb_psnr(a.data(), b.data(), 20, 16), 10 * std::log10(65025.0 / 25.0), 1e-12);
  // Flat images: variances vanish, SSIM = (2·μx·μy + C1) / (μx² + μy² + C1).
  const double expected = (2 * 100.0 * 105 + 6.5025) / (100.0 * 100 + 105.0 * 105 + 6.5025);
  EXPECT_NEAR(geometry::rgb_ssim(a.data(), b.data(), 20, 16), expected, 1e-12);
}

TEST(ImageMetrics, SsimMatchesDirectWindowedEvaluation) {
  const auto a = noise_image(30, 20, 2);
  auto b = a;
  for (size_t i = 0; i < b.size(); i += 7) b[i] = static_cast<uint8_t>(255 - b[i]);
  const double ssim = geometry::rgb_ssim(a.data(), b.data(), 30, 20);
  EXPECT_NEAR(ssim, ssim_direct(a, b, 30, 20), 1e-9);
  EXPECT_LT(ssim, 0.95);
  EXPECT_THROW(geometry::rgb_ssim(a.data(), b.data(), 10, 60), Error);
}

TEST(ImageMetrics, DepthAbsRelAndDelta1) {
  const std::vector<float> gt = {1.0f, 2.0f, 4.0f, 0.0f, 1.0f};
  std::vector<float> same = gt;
  auto e = geometry::depth_errors(same.data(), gt.data(), gt.size());
  EXPECT_EQ(e.absrel, 0.0);
  EXPECT_EQ(e.delta1, 1.0);
  EXPECT_EQ(e.valid_pixels, 4u);  // the gt 0 is invalid

  const std::vector<float> scaled = {1.1f, 2.2f, 4.4f, 5.0f, 1.3f};  // last: ratio 1.3 ≥ 1.25
  e = geometry::depth_errors(scaled.data(), gt.data(), gt.size());
  EXPECT_NEAR(e.absrel, (0.1 + 0.1 + 0.1 + 0.3) / 4, 1e-6);
  EXPECT_DOUBLE_EQ(e.delta1, 0.75);

  const std::vector<float> invalid_pred = {0.0f, NAN, 4.0f, 1.0f, 1.0f};
  e = geometry::depth_errors(invalid_pred.data(), gt.data(), gt.size());
  EXPECT_EQ(e.valid_pixels, 2u);
}

TEST(ImageMetrics, ErrorMaps) {
  const std::vector<uint8_t> a = {10, 20, 30, 0, 0, 0}, b = {13, 17, 30, 0, 0, 6};
  const auto rgb = geometry::rgb_error_map(a.data(), b.data(), 2, 1);
  EXPECT_FLOAT_EQ(rgb[0], 2.0f);
  EXPECT_FLOAT_EQ(rgb[1], 2.0f);
  const std::vector<float> d = {1.5f, 0.0f}, r = {1.0f, 1.0f};
  const auto dm = geometry::depth_error_map(d.data(), r.data(), 2);
  EXPECT_FLOAT_EQ(dm[0], 0.5f);
  EXPECT_TRUE(std::isnan(dm[1]));
}
