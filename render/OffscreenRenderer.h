// The renderer without a window: its own Vulkan context, an offscreen target and a SceneRenderer.
// `xwam render`, tests, benchmarks and thumbnails use it.
//
//   OffscreenRenderer r(1280, 720);                      // RenderError when there is no Vulkan device
//   r.scene().set_sequences(&cloud, nullptr);
//   ViewSettings s;  r.scene().frame_camera(s, OrbitCamera::Preset::Main);
//   RgbaImage image = r.render(s);
#pragma once
#include <memory>

#include "render/OffscreenTarget.h"
#include "render/SceneRenderer.h"
#include "render/VulkanContext.h"

namespace xwam::render {

class OffscreenRenderer {
 public:
  OffscreenRenderer(int width, int height, const ContextOptions& options = {});

  VulkanContext& context() { return *ctx_; }
  SceneRenderer& scene() { return *scene_; }
  int width() const { return width_; }
  int height() const { return height_; }

  // Draws one frame and waits for it; with `read_back` the colour target is copied for image().
  void draw(ViewSettings& settings, bool read_back = true);
  RgbaImage image() const { return target_->pixels(); }
  RgbaImage render(ViewSettings& settings) {
    draw(settings, true);
    return image();
  }

 private:
  int width_, height_;
  // Declared in creation order, so destruction releases the scene and target before the context.
  std::unique_ptr<VulkanContext> ctx_;
  std::unique_ptr<OffscreenTarget> target_;
  std::unique_ptr<SceneRenderer> scene_;
  double last_frame_ms_ = 0;
};

}  // namespace xwam::render
