// Shared by the renderer's shaders: the colormaps (render/Colormap.cpp mirrors them, for legends and
// tests) and a point's colour in each colour mode. The push-constant blocks are in push.glsl
// (graphics) and points_raster.comp / points_resolve.frag (compute path).

const int kColorRgb = 0;
const int kColorDepth = 1;
const int kColorHeight = 2;
const int kColorError = 3;
const int kColorView = 4;

// Google's polynomial fit of the Turbo colormap, t in [0, 1].
vec3 turbo(float t) {
  const vec4 r4 = vec4(0.13572138, 4.61539260, -42.66032258, 132.13108234);
  const vec4 g4 = vec4(0.09140261, 2.19418839, 4.84296658, -14.18503333);
  const vec4 b4 = vec4(0.10667330, 12.64194608, -60.58204836, 110.36276771);
  const vec2 r2 = vec2(-152.94239396, 59.28637943);
  const vec2 g2 = vec2(4.27729857, 2.82956604);
  const vec2 b2 = vec2(-89.90310912, 27.34824973);
  t = clamp(t, 0.0, 1.0);
  vec4 v4 = vec4(1.0, t, t * t, t * t * t);
  vec2 v2 = v4.zw * v4.z;
  return clamp(vec3(dot(v4, r4) + dot(v2, r2), dot(v4, g4) + dot(v2, g2), dot(v4, b4) + dot(v2, b2)), 0.0, 1.0);
}

// Error heat scale: green (no error) → yellow → red (at or above the top of the scale).
vec3 error_heat(float t) {
  const vec3 low = vec3(0.10, 0.80, 0.20);
  const vec3 mid = vec3(1.00, 0.90, 0.10);
  const vec3 high = vec3(0.90, 0.10, 0.10);
  t = clamp(t, 0.0, 1.0);
  return t < 0.5 ? mix(low, mid, 2.0 * t) : mix(mid, high, 2.0 * t - 1.0);
}

// Points without an error value (error < 0) are drawn grey.
const vec3 kNoErrorGrey = vec3(0.5, 0.5, 0.5);

// One colour per source view (cycled beyond eight views).
vec3 view_color(int view) {
  const vec3 palette[8] = vec3[8](vec3(0.90, 0.30, 0.25), vec3(0.25, 0.60, 0.95), vec3(0.35, 0.80, 0.35),
                                  vec3(0.95, 0.75, 0.20), vec3(0.70, 0.40, 0.90), vec3(0.20, 0.85, 0.85),
                                  vec3(0.95, 0.50, 0.75), vec3(0.60, 0.60, 0.60));
  return palette[view % 8];
}

// A point's colour in colour mode `mode` (kColor*), before tinting. `z` is its camera depth, `range` the
// colormap range (x, y) and the error at the top of the scale (z); `view` its source view index.
vec3 point_color(int mode, vec3 rgb, int view, float error_m, vec3 world, float z, vec3 range) {
  if (mode == kColorDepth) return turbo((z - range.x) / max(range.y - range.x, 1e-6));
  if (mode == kColorHeight) return turbo((world.z - range.x) / max(range.y - range.x, 1e-6));
  if (mode == kColorError) return error_m < 0.0 ? kNoErrorGrey : error_heat(error_m / max(range.z, 1e-9));
  if (mode == kColorView) return view_color(view);
  return rgb;
}

// Splat diameter in pixels: `size_px`, or `size_m` (> 0 wins) scaled by focal length / depth; the
// hardware's point size limits (1..64) apply to both paths.
float splat_size_px(float size_px, float size_m, float focal_px, float z) {
  return clamp(size_m > 0.0 ? size_m * focal_px / max(z, 1e-4) : size_px, 1.0, 64.0);
}
