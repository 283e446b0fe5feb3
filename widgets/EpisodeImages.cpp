#include "widgets/EpisodeImages.h"

#include "engine/core/Colormap.h"

namespace xwam::widgets {

QImage to_qimage(const geometry::RgbImage& image) {
  if (image.pixels.empty()) return {};
  return QImage(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
}

QImage rgb_image(const data::Episode& episode, int camera, int t) {
  if (episode.rgb[camera].empty()) return {};
  const auto& cam = episode.cameras[camera];
  return QImage(episode.rgb_frame(camera, t), cam.width, cam.height, cam.width * 3, QImage::Format_RGB888).copy();
}

QRgb depth_color(float v) {
  const Rgb c = turbo(v);
  return qRgb(static_cast<int>(255.f * c.r + 0.5f), static_cast<int>(255.f * c.g + 0.5f), static_cast<int>(255.f * c.b + 0.5f));
}

QImage depth_image(const data::Episode& episode, int camera, int t, float near_m, float far_m) {
  const auto& cam = episode.cameras[camera];
  return to_qimage(geometry::depth_image(episode.depth_frame(camera, t), cam.width, cam.height, near_m, far_m));
}

QImage rgb_image(const geometry::RolloutView& view, int k) {
  if (view.rgb.empty()) return {};
  return QImage(view.rgb_frame(k), view.width, view.height, view.width * 3, QImage::Format_RGB888).copy();
}

QImage depth_image(const geometry::RolloutView& view, int k, float near_m, float far_m) {
  return to_qimage(geometry::depth_image(view.depth_frame(k), view.width, view.height, near_m, far_m));
}

}  // namespace xwam::widgets
