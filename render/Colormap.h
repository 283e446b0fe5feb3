// The colour scales of the point shader (shaders/common.glsl), on the CPU: for legends and tests.
#pragma once

namespace xwam::render {

struct Rgb {
  float r, g, b;  // 0..1
};

Rgb turbo(float t);       // depth and height, t in [0, 1] (clamped)
Rgb error_heat(float t);  // per-point error: green → yellow → red, t = error / top of scale
Rgb view_color(int view); // source view palette
constexpr Rgb kNoErrorGrey{0.5f, 0.5f, 0.5f};

}  // namespace xwam::render
