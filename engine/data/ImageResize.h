// Resizing camera frames for the model: bilinear for RGB, nearest for metric depth (averaging depth
// across an object's edge would invent surfaces that are not there).
#pragma once
#include <cstdint>
#include <vector>

namespace xwam::data {

// A crop window in source pixels (x0, y0, width, height); the whole image when width == 0.
struct CropBox {
  double x0 = 0, y0 = 0, width = 0, height = 0;
};

// src: H·W·3 uint8 → dst_h·dst_w·3 float in [−1, 1] (the VAE's input range), sampling `crop`.
void resize_rgb_to_unit(const uint8_t* src, int src_w, int src_h, const CropBox& crop, int dst_w, int dst_h,
                        float* dst);
// src: H·W float metres → dst_h·dst_w float metres, nearest sample of `crop`.
void resize_depth_nearest(const float* src, int src_w, int src_h, const CropBox& crop, int dst_w, int dst_h,
                          float* dst);

}  // namespace xwam::data
