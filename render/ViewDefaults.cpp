#include "render/ViewDefaults.h"

#include <algorithm>

namespace xwam::render {

void apply_default_point_size(ViewSettings& settings, const SceneRenderer& scene, const PointSequence& cameras_of,
                              int width_px, int height_px) {
  settings.point_size_px = std::max(2.0f, height_px / 300.0f);
  settings.point_size_m = 0;
  const int c = settings.scene_camera;
  if (c >= 0 && c < static_cast<int>(cameras_of.cameras.size())) {
    // Through a recorded camera: one source pixel's size on screen refills its own image.
    const PinholeIntrinsics& k = cameras_of.cameras[c];
    settings.point_size_px = std::max(2.0f, 1.5f * std::min(float(width_px) / k.width, float(height_px) / k.height));
  } else {
    settings.point_size_m = 1.5f * scene.suggested_point_size_m();
  }
}

}  // namespace xwam::render
