// Per-image metrics of a predicted view against the recorded one: RGB PSNR and SSIM, depth AbsRel and
// δ1, and per-pixel error maps for visualisation. Images are row-major; nothing here allocates GPU memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xwam::geometry {

// PSNR in dB of two H·W·3 uint8 images over all channels: 10·log10(255² / MSE).
// Identical images give +infinity (callers report it as "inf").
double rgb_psnr(const uint8_t* predicted, const uint8_t* reference, int width, int height);

// Mean SSIM (Wang et al. 2004) of two H·W·3 uint8 images: 11×11 Gaussian window with σ = 1.5,
// K1 = 0.01, K2 = 0.03, L = 255, computed per channel over the windows that fit inside the image
// ("valid" filtering, as the reference MATLAB code) and averaged over pixels and channels.
// Identical images give exactly 1. Throws xwam::Error for images smaller than 11×11.
double rgb_ssim(const uint8_t* predicted, const uint8_t* reference, int width, int height);

// Depth errors over the pixels where both depths are valid (finite and > 0); `valid_pixels` counts them.
struct DepthErrors {
  double absrel = 0;  // mean |d − d*| / d*
  double delta1 = 0;  // share of pixels with max(d/d*, d*/d) < 1.25
  size_t valid_pixels = 0;
};
DepthErrors depth_errors(const float* predicted_m, const float* reference_m, size_t pixels);

// Error maps (H·W floats): mean absolute RGB difference per pixel in [0, 255], and |d − d*| / d* per
// pixel (NaN where either depth is invalid).
std::vector<float> rgb_error_map(const uint8_t* predicted, const uint8_t* reference, int width, int height);
std::vector<float> depth_error_map(const float* predicted_m, const float* reference_m, size_t pixels);

}  // namespace xwam::geometry
