#include "widgets/EpisodeImages.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace xwam::widgets {

QImage rgb_image(const data::Episode& episode, int camera, int t) {
  if (episode.rgb[camera].empty()) return {};
  const auto& cam = episode.cameras[camera];
  QImage view(episode.rgb_frame(camera, t), cam.width, cam.height, cam.width * 3, QImage::Format_RGB888);
  return view.copy();
}

QRgb depth_color(float v) {
  // A compact turbo-like ramp: dark blue → cyan → green → yellow → red, sampled at 6 stops.
  static const std::array<std::array<float, 3>, 6> stops = {{{0.19f, 0.07f, 0.23f},
                                                             {0.16f, 0.47f, 0.93f},
                                                             {0.10f, 0.85f, 0.70f},
                                                             {0.64f, 0.99f, 0.24f},
                                                             {0.98f, 0.65f, 0.14f},
                                                             {0.74f, 0.09f, 0.03f}}};
  v = std::clamp(v, 0.f, 1.f) * (stops.size() - 1);
  const size_t i = std::min(static_cast<size_t>(v), stops.size() - 2);
  const float f = v - static_cast<float>(i);
  auto mix = [&](int k) { return static_cast<int>(255.f * (stops[i][k] * (1 - f) + stops[i + 1][k] * f) + 0.5f); };
  return qRgb(mix(0), mix(1), mix(2));
}

namespace {
QImage colorize_depth(const float* depth, int width, int height, float near_m, float far_m) {
  if (!depth) return {};
  QImage out(width, height, QImage::Format_RGB32);
  const float span = std::max(far_m - near_m, 1e-6f);
  for (int y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = 0; x < width; ++x) {
      const float d = depth[y * width + x];
      // Near is warm: invert so the colormap's red end marks close surfaces.
      row[x] = d > 0 ? depth_color(1.f - (d - near_m) / span) : qRgb(0, 0, 0);
    }
  }
  return out;
}
}  // namespace

QImage depth_image(const data::Episode& episode, int camera, int t, float near_m, float far_m) {
  const auto& cam = episode.cameras[camera];
  return colorize_depth(episode.depth_frame(camera, t), cam.width, cam.height, near_m, far_m);
}

QImage rgb_image(const geometry::RolloutView& view, int k) {
  if (view.rgb.empty()) return {};
  return QImage(view.rgb_frame(k), view.width, view.height, view.width * 3, QImage::Format_RGB888).copy();
}

QImage depth_image(const geometry::RolloutView& view, int k, float near_m, float far_m) {
  return colorize_depth(view.depth_frame(k), view.width, view.height, near_m, far_m);
}

QImage depth_error_image(const geometry::RolloutView& view, int k, const data::Episode& episode, int camera, int t,
                         float max_error_m) {
  const float* pred = view.depth_frame(k);
  const float* rec = episode.depth_frame(camera, t);
  if (!pred || !rec) return {};
  const auto& cam = episode.cameras[camera];
  QImage out(view.width, view.height, QImage::Format_RGB32);
  for (int y = 0; y < view.height; ++y) {
    auto* row = reinterpret_cast<QRgb*>(out.scanLine(y));
    const int ry = std::min(cam.height - 1, static_cast<int>((y + 0.5) * cam.height / view.height));
    for (int x = 0; x < view.width; ++x) {
      const int rx = std::min(cam.width - 1, static_cast<int>((x + 0.5) * cam.width / view.width));
      const float p = pred[y * view.width + x], r = rec[ry * cam.width + rx];
      row[x] = p > 0 && r > 0 ? depth_color(std::abs(p - r) / std::max(max_error_m, 1e-6f)) : qRgb(0, 0, 0);
    }
  }
  return out;
}

std::pair<float, float> depth_range(const data::Episode& episode, int camera) {
  if (camera >= static_cast<int>(episode.depth.size()) || episode.depth[camera].empty()) return {0.f, 1.f};
  std::vector<float> valid;
  const auto& all = episode.depth[camera];
  // Subsample: the range only needs to be stable, not exact.
  const size_t step = std::max<size_t>(1, all.size() / 200000);
  for (size_t i = 0; i < all.size(); i += step)
    if (all[i] > 0) valid.push_back(all[i]);
  if (valid.empty()) return {0.f, 1.f};
  auto at = [&](double q) {
    size_t k = static_cast<size_t>(q * (valid.size() - 1));
    std::nth_element(valid.begin(), valid.begin() + k, valid.end());
    return valid[k];
  };
  float lo = at(0.02), hi = at(0.98);
  if (hi <= lo) hi = lo + 1e-3f;
  return {lo, hi};
}

}  // namespace xwam::widgets
