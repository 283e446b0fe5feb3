// PSNR, Gaussian-window SSIM, depth AbsRel/δ1 and per-pixel error maps.
#include "engine/geometry/ImageMetrics.h"

#include <cmath>
#include <limits>

#include "engine/core/Error.h"

namespace xwam::geometry {

double rgb_psnr(const uint8_t* predicted, const uint8_t* reference, int width, int height) {
  const size_t n = static_cast<size_t>(width) * height * 3;
  double sq = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(predicted[i]) - reference[i];
    sq += d * d;
  }
  if (sq == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / (sq / static_cast<double>(n)));
}

namespace {
constexpr int kWindow = 11;
constexpr double kSigma = 1.5;

// Separable "valid" Gaussian filter of a W×H plane: output (W−10)×(H−10).
std::vector<double> gaussian_valid(const std::vector<double>& in, int W, int H, const double* g) {
  const int Wo = W - kWindow + 1, Ho = H - kWindow + 1;
  std::vector<double> rows(static_cast<size_t>(Wo) * H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < Wo; ++x) {
      double s = 0;
      for (int k = 0; k < kWindow; ++k) s += g[k] * in[static_cast<size_t>(y) * W + x + k];
      rows[static_cast<size_t>(y) * Wo + x] = s;
    }
  std::vector<double> out(static_cast<size_t>(Wo) * Ho);
  for (int y = 0; y < Ho; ++y)
    for (int x = 0; x < Wo; ++x) {
      double s = 0;
      for (int k = 0; k < kWindow; ++k) s += g[k] * rows[static_cast<size_t>(y + k) * Wo + x];
      out[static_cast<size_t>(y) * Wo + x] = s;
    }
  return out;
}
}  // namespace

double rgb_ssim(const uint8_t* predicted, const uint8_t* reference, int width, int height) {
  if (width < kWindow || height < kWindow)
    throw Error("SSIM needs images of at least 11x11 pixels, got " + std::to_string(width) + "x" +
                std::to_string(height));
  double g[kWindow], gsum = 0;
  for (int k = 0; k < kWindow; ++k) gsum += g[k] = std::exp(-0.5 * (k - 5) * (k - 5) / (kSigma * kSigma));
  for (double& v : g) v /= gsum;
  const double C1 = (0.01 * 255) * (0.01 * 255), C2 = (0.03 * 255) * (0.03 * 255);

  const size_t P = static_cast<size_t>(width) * height;
  double total = 0;
  size_t count = 0;
  for (int c = 0; c < 3; ++c) {
    std::vector<double> x(P), y(P), xx(P), yy(P), xy(P);
    for (size_t i = 0; i < P; ++i) {
      x[i] = predicted[3 * i + c];
      y[i] = reference[3 * i + c];
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    const auto mx = gaussian_valid(x, width, height, g), my = gaussian_valid(y, width, height, g);
    const auto sxx = gaussian_valid(xx, width, height, g), syy = gaussian_valid(yy, width, height, g);
    const auto sxy = gaussian_valid(xy, width, height, g);
    for (size_t i = 0; i < mx.size(); ++i) {
      const double vx = sxx[i] - mx[i] * mx[i], vy = syy[i] - my[i] * my[i], cxy = sxy[i] - mx[i] * my[i];
      total += ((2 * mx[i] * my[i] + C1) * (2 * cxy + C2)) / ((mx[i] * mx[i] + my[i] * my[i] + C1) * (vx + vy + C2));
    }
    count += mx.size();
  }
  return total / static_cast<double>(count);
}

namespace {
bool valid_depth(float d) { return std::isfinite(d) && d > 0.0f; }
}  // namespace

DepthErrors depth_errors(const float* predicted_m, const float* reference_m, size_t pixels) {
  DepthErrors e;
  double absrel = 0;
  size_t inside = 0;
  for (size_t i = 0; i < pixels; ++i) {
    const float d = predicted_m[i], r = reference_m[i];
    if (!valid_depth(d) || !valid_depth(r)) continue;
    absrel += std::abs(static_cast<double>(d) - r) / r;
    if (std::max(d / r, r / d) < 1.25f) ++inside;
    ++e.valid_pixels;
  }
  if (e.valid_pixels > 0) {
    e.absrel = absrel / static_cast<double>(e.valid_pixels);
    e.delta1 = static_cast<double>(inside) / static_cast<double>(e.valid_pixels);
  }
  return e;
}

std::vector<float> rgb_error_map(const uint8_t* predicted, const uint8_t* reference, int width, int height) {
  std::vector<float> map(static_cast<size_t>(width) * height);
  for (size_t i = 0; i < map.size(); ++i) {
    int s = 0;
    for (int c = 0; c < 3; ++c) s += std::abs(static_cast<int>(predicted[3 * i + c]) - reference[3 * i + c]);
    map[i] = static_cast<float>(s) / 3.0f;
  }
  return map;
}

std::vector<float> depth_error_map(const float* predicted_m, const float* reference_m, size_t pixels) {
  std::vector<float> map(pixels, std::numeric_limits<float>::quiet_NaN());
  for (size_t i = 0; i < pixels; ++i)
    if (valid_depth(predicted_m[i]) && valid_depth(reference_m[i]))
      map[i] = std::abs(predicted_m[i] - reference_m[i]) / reference_m[i];
  return map;
}

}  // namespace xwam::geometry
