#include "engine/data/ImageResize.h"

#include <algorithm>
#include <cmath>

namespace xwam::data {
namespace {
CropBox whole(const CropBox& crop, int w, int h) {
  return crop.width > 0 ? crop : CropBox{0, 0, static_cast<double>(w), static_cast<double>(h)};
}
}  // namespace

void resize_rgb_to_unit(const uint8_t* src, int src_w, int src_h, const CropBox& crop_in, int dst_w, int dst_h,
                        float* dst) {
  const CropBox crop = whole(crop_in, src_w, src_h);
  const double sx = crop.width / dst_w, sy = crop.height / dst_h;
  for (int y = 0; y < dst_h; ++y) {
    // Pixel centres map to pixel centres (align_corners = false).
    const double fy = std::clamp(crop.y0 + (y + 0.5) * sy - 0.5, 0.0, src_h - 1.0);
    const int y0 = static_cast<int>(fy), y1 = std::min(y0 + 1, src_h - 1);
    const double wy = fy - y0;
    for (int x = 0; x < dst_w; ++x) {
      const double fx = std::clamp(crop.x0 + (x + 0.5) * sx - 0.5, 0.0, src_w - 1.0);
      const int x0 = static_cast<int>(fx), x1 = std::min(x0 + 1, src_w - 1);
      const double wx = fx - x0;
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) { return static_cast<double>(src[(static_cast<size_t>(yy) * src_w + xx) * 3 + c]); };
        const double v = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        dst[(static_cast<size_t>(y) * dst_w + x) * 3 + c] = static_cast<float>(v / 127.5 - 1.0);
      }
    }
  }
}

void resize_depth_nearest(const float* src, int src_w, int src_h, const CropBox& crop_in, int dst_w, int dst_h,
                          float* dst) {
  const CropBox crop = whole(crop_in, src_w, src_h);
  const double sx = crop.width / dst_w, sy = crop.height / dst_h;
  for (int y = 0; y < dst_h; ++y) {
    const int yy = std::clamp(static_cast<int>(std::floor(crop.y0 + (y + 0.5) * sy)), 0, src_h - 1);
    for (int x = 0; x < dst_w; ++x) {
      const int xx = std::clamp(static_cast<int>(std::floor(crop.x0 + (x + 0.5) * sx)), 0, src_w - 1);
      dst[static_cast<size_t>(y) * dst_w + x] = src[static_cast<size_t>(yy) * src_w + xx];
    }
  }
}

}  // namespace xwam::data
