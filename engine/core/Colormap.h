// The one set of colour scales of X-WAM Studio: the point shader (shaders/common.glsl) computes the same
// on the GPU; depth images, error heatmaps, legends and tests use these.
#pragma once

namespace xwam {

struct Rgb {
  float r, g, b;  // 0..1
};

Rgb turbo(float t);       // depth and height, t in [0, 1] (clamped)
Rgb error_heat(float t);  // per-point error: green → yellow → red, t = error / top of scale
Rgb view_color(int view); // source view palette
constexpr Rgb kNoErrorGrey{0.5f, 0.5f, 0.5f};

}  // namespace xwam
