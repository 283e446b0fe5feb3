#include "engine/serve/ViewPreprocess.h"

#include <algorithm>
#include <cstdint>

namespace xwam::serve {
namespace {

struct Tap {
  int64_t i0, i1;
  float w0, w1;
};

// torch's linear source indices (area_pixel_compute_source_index, align_corners=False) in float.
std::vector<Tap> taps(int in, int out) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  std::vector<Tap> t(out);
  for (int o = 0; o < out; ++o) {
    const float real = std::max(scale * (static_cast<float>(o) + 0.5f) - 0.5f, 0.f);
    const int64_t i0 = static_cast<int64_t>(real);
    const float lambda = std::min(std::max(real - static_cast<float>(i0), 0.f), 1.f);
    t[o] = {i0, i0 < in - 1 ? i0 + 1 : i0, 1.f - lambda, lambda};
  }
  return t;
}

// Bilinear resize of the window (top, left, h, w) of an image `stride` pixels wide, 3 channels.
void resize(const float* src, int stride, int top, int left, int h, int w, int out_h, int out_w, float* dst) {
  const auto ty = taps(h, out_h), tx = taps(w, out_w);
  for (int y = 0; y < out_h; ++y) {
    const float* r0 = src + (static_cast<int64_t>(top + ty[y].i0) * stride + left) * 3;
    const float* r1 = src + (static_cast<int64_t>(top + ty[y].i1) * stride + left) * 3;
    for (int x = 0; x < out_w; ++x)
      for (int c = 0; c < 3; ++c) {
        const int64_t a = tx[x].i0 * 3 + c, b = tx[x].i1 * 3 + c;
        dst[(static_cast<int64_t>(y) * out_w + x) * 3 + c] =
            ty[y].w0 * (tx[x].w0 * r0[a] + tx[x].w1 * r0[b]) + ty[y].w1 * (tx[x].w0 * r1[a] + tx[x].w1 * r1[b]);
      }
  }
}

}  // namespace

std::vector<float> preprocess_views(const std::vector<float>& video, int views, int height, int width, int out_height,
                                    int out_width, double crop_ratio) {
  const int crop_h = static_cast<int>(out_height * crop_ratio), crop_w = static_cast<int>(out_width * crop_ratio);
  const int top = (out_height - crop_h) / 2, left = (out_width - crop_w) / 2;
  const int64_t in_plane = static_cast<int64_t>(height) * width * 3, out_plane = static_cast<int64_t>(out_height) * out_width * 3;
  std::vector<float> resized(out_plane), out(views * out_plane);
  for (int v = 0; v < views; ++v) {
    resize(video.data() + v * in_plane, width, 0, 0, height, width, out_height, out_width, resized.data());
    resize(resized.data(), out_width, top, left, crop_h, crop_w, out_height, out_width, out.data() + v * out_plane);
  }
  return out;
}

}  // namespace xwam::serve
