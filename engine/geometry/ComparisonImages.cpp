#include "engine/geometry/ComparisonImages.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Colormap.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/data/ImageResize.h"
#include "engine/data/VideoWriter.h"
#include "engine/geometry/ImageText.h"

namespace xwam::geometry {
namespace fs = std::filesystem;

namespace {
constexpr uint8_t kBackground[3] = {24, 24, 26}, kLabel[3] = {220, 220, 220};
constexpr int kGap = 2, kTextScale = 2;

RgbImage blank(int width, int height) {
  RgbImage image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (size_t i = 0; i < image.pixels.size(); i += 3) std::memcpy(&image.pixels[i], kBackground, 3);
  return image;
}

void put(uint8_t* p, Rgb c) {
  p[0] = static_cast<uint8_t>(std::lround(255.f * c.r));
  p[1] = static_cast<uint8_t>(std::lround(255.f * c.g));
  p[2] = static_cast<uint8_t>(std::lround(255.f * c.b));
}

// Copies `src` (w × h RGB) into `dst` at (x, y), each pixel `scale` × `scale`; clipped to dst.
void paste(RgbImage& dst, int x, int y, const uint8_t* src, int w, int h, int scale) {
  if (!src) return;
  for (int yy = 0; yy < h * scale; ++yy) {
    const int dy = y + yy;
    if (dy < 0 || dy >= dst.height) continue;
    const uint8_t* row = src + static_cast<size_t>(yy / scale) * w * 3;
    for (int xx = 0; xx < w * scale; ++xx) {
      const int dx = x + xx;
      if (dx < 0 || dx >= dst.width) continue;
      std::memcpy(&dst.pixels[(static_cast<size_t>(dy) * dst.width + dx) * 3], row + (xx / scale) * 3, 3);
    }
  }
}

void paste(RgbImage& dst, int x, int y, const RgbImage& src, int scale) {
  if (!src.pixels.empty()) paste(dst, x, y, src.pixels.data(), src.width, src.height, scale);
}

// Small model images are enlarged by whole pixels to about `target` pixels high.
int cell_scale(const Rollout& rollout, int target) {
  int h = 1;
  for (const auto& v : rollout.views) h = std::max(h, v.height);
  return std::max(1, target / h);
}

struct ViewImages {
  RgbImage recorded, depth, error;  // each at the view's size, or empty
};

ViewImages view_images(const data::Episode& episode, const Rollout& rollout, int v, int k) {
  const RolloutView& view = rollout.views[v];
  ViewImages out;
  const int c = episode.camera_index(view.camera), t = recorded_frame(episode, rollout, k);
  std::pair<float, float> range{0.f, 1.f};
  if (c >= 0) {
    if (!episode.rgb[c].empty()) {
      // Bilinear to the view's size, as the metrics compare (episode_at_rollout_size).
      const auto& cam = episode.cameras[c];
      std::vector<float> unit(static_cast<size_t>(view.width) * view.height * 3);
      data::resize_rgb_to_unit(episode.rgb_frame(c, t), cam.width, cam.height, {}, view.width, view.height, unit.data());
      out.recorded = RgbImage{view.width, view.height, std::vector<uint8_t>(unit.size())};
      for (size_t i = 0; i < unit.size(); ++i)
        out.recorded.pixels[i] = static_cast<uint8_t>(std::clamp(std::lround((unit[i] + 1.f) * 127.5f), 0L, 255L));
    }
    range = depth_range(episode, c);
    out.error = depth_error_image(view, k, episode, c, t, heatmap_scale(episode, c));
  } else if (view.depth_frame(k)) {
    // No recording of this camera: the prediction's own range.
    const float* d = view.depth_frame(k);
    std::vector<float> valid;
    for (size_t i = 0; i < static_cast<size_t>(view.width) * view.height; ++i)
      if (d[i] > 0) valid.push_back(d[i]);
    if (!valid.empty()) range = {*std::min_element(valid.begin(), valid.end()), *std::max_element(valid.begin(), valid.end())};
  }
  if (view.depth_frame(k)) out.depth = depth_image(view.depth_frame(k), view.width, view.height, range.first, range.second);
  return out;
}
}  // namespace

std::pair<float, float> depth_range(const data::Episode& episode, int camera) {
  if (camera < 0 || camera >= static_cast<int>(episode.depth.size()) || episode.depth[camera].empty()) return {0.f, 1.f};
  std::vector<float> valid;
  const auto& all = episode.depth[camera];
  // Subsample: the range only needs to be stable, not exact.
  const size_t step = std::max<size_t>(1, all.size() / 200000);
  for (size_t i = 0; i < all.size(); i += step)
    if (all[i] > 0) valid.push_back(all[i]);
  if (valid.empty()) return {0.f, 1.f};
  auto at = [&](double q) {
    const size_t k = static_cast<size_t>(q * (valid.size() - 1));
    std::nth_element(valid.begin(), valid.begin() + k, valid.end());
    return valid[k];
  };
  const float lo = at(0.02);
  float hi = at(0.98);
  if (hi <= lo) hi = lo + 1e-3f;
  return {lo, hi};
}

float heatmap_scale(const data::Episode& episode, int camera) {
  const auto range = depth_range(episode, camera);
  return 0.1f * (range.second - range.first);
}

RgbImage depth_image(const float* depth, int width, int height, float near_m, float far_m) {
  if (!depth) return {};
  RgbImage out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3, 0)};
  const float span = std::max(far_m - near_m, 1e-6f);
  for (size_t i = 0; i < static_cast<size_t>(width) * height; ++i)
    if (depth[i] > 0) put(&out.pixels[i * 3], turbo(1.f - (depth[i] - near_m) / span));  // near = warm
  return out;
}

RgbImage depth_error_image(const RolloutView& view, int k, const data::Episode& episode, int camera, int t,
                           float max_error_m) {
  const float* pred = view.depth_frame(k);
  const float* rec = camera >= 0 ? episode.depth_frame(camera, t) : nullptr;
  if (!pred || !rec) return {};
  const auto& cam = episode.cameras[camera];
  RgbImage out{view.width, view.height, std::vector<uint8_t>(static_cast<size_t>(view.width) * view.height * 3, 0)};
  const float scale = std::max(max_error_m, 1e-6f);
  for (int y = 0; y < view.height; ++y) {
    const int ry = std::min(cam.height - 1, static_cast<int>((y + 0.5) * cam.height / view.height));
    for (int x = 0; x < view.width; ++x) {
      const int rx = std::min(cam.width - 1, static_cast<int>((x + 0.5) * cam.width / view.width));
      const float p = pred[y * view.width + x], r = rec[ry * cam.width + rx];
      if (p > 0 && r > 0) put(&out.pixels[(static_cast<size_t>(y) * view.width + x) * 3], turbo(std::abs(p - r) / scale));
    }
  }
  return out;
}

int recorded_frame(const data::Episode& episode, const Rollout& rollout, int k) {
  return std::clamp(rollout.frame_indices[k] - episode.first_frame, 0, episode.num_frames - 1);
}

RgbImage comparison_frame(const data::Episode& episode, const Rollout& rollout, int k) {
  if (rollout.views.empty()) throw Error(rollout.dir, "the rollout has no predicted images (Fast-WAM predicts actions only)");
  const int s = cell_scale(rollout, 240), label_h = text_height(kTextScale) + 8;
  int cell_w = 0, cell_h = 0;
  for (const auto& v : rollout.views) cell_w = std::max(cell_w, v.width * s), cell_h = std::max(cell_h, v.height * s);
  const int V = static_cast<int>(rollout.views.size()), row_h = label_h + cell_h + kGap;
  RgbImage out = blank((4 * (cell_w + kGap) + 1) & ~1, (V * row_h + 1) & ~1);
  const char* columns[] = {"recorded", "predicted", "predicted depth", "depth error"};
  for (int v = 0; v < V; ++v) {
    const RolloutView& view = rollout.views[v];
    const ViewImages images = view_images(episode, rollout, v, k);
    const int y = v * row_h;
    for (int col = 0; col < 4; ++col)
      draw_text(out, col * (cell_w + kGap) + 4, y + 4,
                view.camera + " " + columns[col] + (col == 0 ? " f" + std::to_string(recorded_frame(episode, rollout, k)) : ""),
                kLabel, kTextScale);
    paste(out, 0, y + label_h, images.recorded, s);
    paste(out, cell_w + kGap, y + label_h, view.rgb_frame(k), view.width, view.height, s);
    paste(out, 2 * (cell_w + kGap), y + label_h, images.depth, s);
    paste(out, 3 * (cell_w + kGap), y + label_h, images.error, s);
  }
  return out;
}

double real_time_fps(const data::Episode& episode, const Rollout& rollout) {
  const int step = rollout.num_frames() > 1 ? rollout.frame_indices[1] - rollout.frame_indices[0]
                                            : rollout.frame_indices.empty() ? 1 : rollout.frame_indices[0] - rollout.start_frame;
  return episode.fps / std::max(step, 1);
}

void write_comparison_video(const std::string& path, const data::Episode& episode, const Rollout& rollout, double fps) {
  if (rollout.views.empty()) throw Error(path, "the rollout has no predicted video (Fast-WAM predicts actions only)");
  const RgbImage first = comparison_frame(episode, rollout, 0);
  data::VideoOptions options;
  options.fps = fps;
  data::VideoWriter writer(path, first.width, first.height, options);
  writer.add(first.pixels.data());
  for (int k = 1; k < rollout.num_frames(); ++k) writer.add(comparison_frame(episode, rollout, k).pixels.data());
  writer.finish();
}

RgbImage what_if_frame(const data::Episode& episode, const Rollout& a, const Rollout& b, int k, const std::string& label_a,
                       const std::string& label_b) {
  if (a.views.empty() || b.views.empty())
    throw Error((a.views.empty() ? a : b).dir, "the rollout has no predicted images (Fast-WAM predicts actions only)");
  if (k < 0 || k >= a.num_frames() || k >= b.num_frames())
    throw Error(b.dir, "no predicted frame " + std::to_string(k) + " (the rollouts have " + std::to_string(a.num_frames()) +
                           " and " + std::to_string(b.num_frames()) + ")");
  const int s = cell_scale(a, 240), label_h = text_height(kTextScale) + 8;
  int cell_w = 0, cell_h = 0;
  for (const auto* r : {&a, &b})
    for (const auto& v : r->views) cell_w = std::max(cell_w, v.width * s), cell_h = std::max(cell_h, v.height * s);
  const int V = static_cast<int>(a.views.size()), row_h = label_h + cell_h + kGap;
  RgbImage out = blank((3 * (cell_w + kGap) + 1) & ~1, (V * row_h + 1) & ~1);
  for (int v = 0; v < V; ++v) {
    const RolloutView& va = a.views[v];
    const int vb = [&] {
      for (size_t i = 0; i < b.views.size(); ++i)
        if (b.views[i].camera == va.camera) return static_cast<int>(i);
      return -1;
    }();
    const int y = v * row_h;
    draw_text(out, 4, y + 4, va.camera + " recorded f" + std::to_string(recorded_frame(episode, a, k)), kLabel, kTextScale);
    draw_text(out, cell_w + kGap + 4, y + 4, va.camera + " " + label_a, kLabel, kTextScale);
    draw_text(out, 2 * (cell_w + kGap) + 4, y + 4, va.camera + " " + label_b, kLabel, kTextScale);
    paste(out, 0, y + label_h, view_images(episode, a, v, k).recorded, s);
    paste(out, cell_w + kGap, y + label_h, va.rgb_frame(k), va.width, va.height, s);
    if (vb >= 0) {
      const RolloutView& view_b = b.views[vb];
      paste(out, 2 * (cell_w + kGap), y + label_h, view_b.rgb_frame(k), view_b.width, view_b.height, s);
    }
  }
  return out;
}

void write_what_if_video(const std::string& path, const data::Episode& episode, const Rollout& a, const Rollout& b,
                         const std::string& label_a, const std::string& label_b) {
  if (a.views.empty() || b.views.empty()) throw Error(path, "a rollout has no predicted video (Fast-WAM predicts actions only)");
  const RgbImage first = what_if_frame(episode, a, b, 0, label_a, label_b);
  data::VideoOptions options;
  options.fps = real_time_fps(episode, a);
  data::VideoWriter writer(path, first.width, first.height, options);
  writer.add(first.pixels.data());
  for (int k = 1; k < std::min(a.num_frames(), b.num_frames()); ++k)
    writer.add(what_if_frame(episode, a, b, k, label_a, label_b).pixels.data());
  writer.finish();
}

RgbImage contact_sheet(const data::Episode& episode, const Rollout& rollout) {
  if (rollout.views.empty()) throw Error(rollout.dir, "the rollout has no predicted images (Fast-WAM predicts actions only)");
  const int K = rollout.num_frames(), V = static_cast<int>(rollout.views.size());
  const int s = cell_scale(rollout, 128);
  int cell_w = 0, cell_h = 0;
  for (const auto& v : rollout.views) cell_w = std::max(cell_w, v.width * s), cell_h = std::max(cell_h, v.height * s);
  const char* rows[] = {"recorded", "predicted", "pred. depth", "depth error"};
  int label_w = text_width("depth error", kTextScale);
  for (const auto& v : rollout.views) label_w = std::max(label_w, text_width(v.camera, kTextScale));
  label_w += 12;
  const int header_h = text_height(kTextScale) + 10;
  RgbImage sheet = blank(label_w + K * (cell_w + kGap), header_h + V * 4 * (cell_h + kGap));
  for (int k = 0; k < K; ++k)
    draw_text(sheet, label_w + k * (cell_w + kGap) + 4, 4, "frame " + std::to_string(recorded_frame(episode, rollout, k)),
              kLabel, kTextScale);
  for (int v = 0; v < V; ++v) {
    const RolloutView& view = rollout.views[v];
    for (int r = 0; r < 4; ++r) {
      const int y = header_h + (4 * v + r) * (cell_h + kGap);
      draw_text(sheet, 6, y + cell_h / 2 - text_height(kTextScale) - 2, view.camera, kLabel, kTextScale);
      draw_text(sheet, 6, y + cell_h / 2 + 2, rows[r], kLabel, kTextScale);
    }
    for (int k = 0; k < K; ++k) {
      const ViewImages images = view_images(episode, rollout, v, k);
      const int x = label_w + k * (cell_w + kGap), y = header_h + 4 * v * (cell_h + kGap);
      paste(sheet, x, y, images.recorded, s);
      paste(sheet, x, y + (cell_h + kGap), view.rgb_frame(k), view.width, view.height, s);
      paste(sheet, x, y + 2 * (cell_h + kGap), images.depth, s);
      paste(sheet, x, y + 3 * (cell_h + kGap), images.error, s);
    }
  }
  return sheet;
}

void write_depth_error_heatmaps(const std::string& dir, const data::Episode& episode, const Rollout& rollout) {
  nlohmann::json scales = nlohmann::json::object();
  int written = 0;
  for (const auto& view : rollout.views) {
    const int c = episode.camera_index(view.camera);
    if (c < 0 || !view.depth_frame(0) || !episode.depth_frame(c, 0)) continue;
    check_file_name(view.camera, (fs::path(rollout.dir) / "manifest.json").string(), "cameras");
    const float scale = heatmap_scale(episode, c);
    fs::create_directories(fs::path(dir) / view.camera);
    for (int k = 0; k < rollout.num_frames(); ++k) {
      const RgbImage image = depth_error_image(view, k, episode, c, recorded_frame(episode, rollout, k), scale);
      char name[32];
      std::snprintf(name, sizeof(name), "frame_%03d.png", k);
      write_png((fs::path(dir) / view.camera / name).string(), image.pixels.data(), image.width, image.height);
      ++written;
    }
    scales[view.camera] = {{"error_at_top_m", scale}, {"colormap", "turbo"}};
  }
  if (written == 0)
    throw Error(dir, "no depth-error heatmaps: the rollout or the episode has no depth for any predicted camera");
  std::ofstream out(fs::path(dir) / "heatmaps.json");
  out << nlohmann::json{{"frame_indices", rollout.frame_indices}, {"cameras", scales}}.dump(2) << "\n";
  if (!out.flush()) throw Error((fs::path(dir) / "heatmaps.json").string(), "cannot write (disk full?)");
}

}  // namespace xwam::geometry
