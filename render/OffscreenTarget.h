// An offscreen colour (RGBA8) + depth target with its render pass and framebuffer, read back to host
// memory as an RGBA image. Used by `xwam render`, tests, benchmarks and thumbnails.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <vulkan/vulkan.h>

#include "render/Buffer.h"
#include "render/Image.h"

namespace xwam::render {

// H·W·4 bytes, row-major RGBA, row 0 at the top.
struct RgbaImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
  const uint8_t* at(int x, int y) const { return &pixels[(static_cast<size_t>(y) * width + x) * 4]; }
};

class OffscreenTarget {
 public:
  static constexpr VkFormat kColorFormat = VK_FORMAT_R8G8B8A8_UNORM;

  OffscreenTarget(VulkanContext& ctx, uint32_t width, uint32_t height);
  ~OffscreenTarget();
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  VkRenderPass render_pass() const { return render_pass_; }
  VkExtent2D extent() const { return {width_, height_}; }
  // Begins the render pass on `cmd`, clearing colour to `clear_rgba` and depth to 1.
  void begin(VkCommandBuffer cmd, const float clear_rgba[4]) const;
  // After vkCmdEndRenderPass: records the copy of the colour image into the readback buffer.
  void record_readback(VkCommandBuffer cmd) const;
  // The image copied by the last completed record_readback().
  RgbaImage pixels() const;

 private:
  VulkanContext& ctx_;
  uint32_t width_, height_;
  std::unique_ptr<Image> color_, depth_;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
  Buffer readback_;
};

}  // namespace xwam::render
