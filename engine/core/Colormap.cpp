// Same formulas as shaders/common.glsl (keep them in step: tests compare rendered pixels to these).
#include "engine/core/Colormap.h"

#include <algorithm>

namespace xwam {
namespace {
float clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }
Rgb mix(Rgb a, Rgb b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
}  // namespace

Rgb turbo(float t) {
  t = clamp01(t);
  const float t2 = t * t, t3 = t2 * t, t4 = t2 * t2, t5 = t4 * t;
  auto poly = [&](const float c[6]) { return clamp01(c[0] + c[1] * t + c[2] * t2 + c[3] * t3 + c[4] * t4 + c[5] * t5); };
  const float r[6] = {0.13572138f, 4.61539260f, -42.66032258f, 132.13108234f, -152.94239396f, 59.28637943f};
  const float g[6] = {0.09140261f, 2.19418839f, 4.84296658f, -14.18503333f, 4.27729857f, 2.82956604f};
  const float b[6] = {0.10667330f, 12.64194608f, -60.58204836f, 110.36276771f, -89.90310912f, 27.34824973f};
  return {poly(r), poly(g), poly(b)};
}

Rgb error_heat(float t) {
  const Rgb low{0.10f, 0.80f, 0.20f}, mid{1.00f, 0.90f, 0.10f}, high{0.90f, 0.10f, 0.10f};
  t = clamp01(t);
  return t < 0.5f ? mix(low, mid, 2.0f * t) : mix(mid, high, 2.0f * t - 1.0f);
}

Rgb view_color(int view) {
  static const Rgb palette[8] = {{0.90f, 0.30f, 0.25f}, {0.25f, 0.60f, 0.95f}, {0.35f, 0.80f, 0.35f},
                                 {0.95f, 0.75f, 0.20f}, {0.70f, 0.40f, 0.90f}, {0.20f, 0.85f, 0.85f},
                                 {0.95f, 0.50f, 0.75f}, {0.60f, 0.60f, 0.60f}};
  return palette[((view % 8) + 8) % 8];
}

}  // namespace xwam
