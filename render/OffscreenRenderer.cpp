// One offscreen frame: begin pass, record the scene, end pass, copy out, submit and wait.
#include "render/OffscreenRenderer.h"

#include <algorithm>
#include <chrono>

#include "render/RenderError.h"

namespace xwam::render {

OffscreenRenderer::OffscreenRenderer(int width, int height, const ContextOptions& options)
    : width_(width), height_(height) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    throw RenderError("image size " + std::to_string(width) + "x" + std::to_string(height) + " is out of range (1..16384)");
  ctx_ = std::make_unique<VulkanContext>(options);
  target_ = std::make_unique<OffscreenTarget>(*ctx_, uint32_t(width), uint32_t(height));
  // The overlay's text grows with the image so it stays readable in large screenshots.
  const float ui_scale = std::max(1.0f, height / 720.0f);
  scene_ = std::make_unique<SceneRenderer>(*ctx_, target_->render_pass(), VK_SAMPLE_COUNT_1_BIT, 2, ui_scale);
}

void OffscreenRenderer::draw(ViewSettings& settings, bool read_back) {
  const auto start = std::chrono::steady_clock::now();
  ctx_->submit_and_wait([&](VkCommandBuffer cmd) {
    scene_->prepare(cmd, target_->extent(), settings);
    target_->begin(cmd, settings.background);
    scene_->record(cmd, target_->extent(), settings, last_frame_ms_);
    vkCmdEndRenderPass(cmd);
    if (read_back) target_->record_readback(cmd);
  });
  last_frame_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace xwam::render
