// The compute point path: points projected in a compute shader, the nearest one per pixel kept with a
// 64-bit atomicMin of (depth bits << 32 | point tag) in a buffer the size of the target ("winners"),
// then a fragment pass in the caller's render pass that gives each pixel its winner's colour and depth.
// Needs VulkanContext::supports_compute_points(); SceneRenderer drives it.
//
//   PointRaster raster(ctx, render_pass, samples);
//   raster.set_clouds(predicted, recorded);       // when the sequences change, no frame in flight
//   // outside the render pass:
//   raster.begin(cmd, extent);  raster.rasterize(cmd, pc, rect, cloud, frame, recorded);  raster.end(cmd);
//   // inside it, for each viewport:
//   raster.resolve(cmd, pc, rect, tints);
//
// Tag: bit 31 marks the recorded cloud, the low 31 bits are the point's index in its sequence buffer
// (so a sequence holds at most 2^31 points here). Errors: RenderError. One thread.
#pragma once
#include <cstdint>
#include <optional>

#include <vulkan/vulkan.h>

#include "render/Buffer.h"
#include "render/PushConstants.h"

namespace xwam::render {

class SequenceBuffer;
class VulkanContext;

// The point that won a pixel: which cloud, and its index in that sequence's point buffer.
struct PixelWinner {
  bool recorded = false;
  uint32_t index = 0;
  float depth = 0;  // the depth-buffer value (0 at near, 1 at far)
};

class PointRaster {
 public:
  static constexpr uint32_t kMaxPoints = 1u << 31;

  PointRaster(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples);
  ~PointRaster();
  PointRaster(const PointRaster&) = delete;
  PointRaster& operator=(const PointRaster&) = delete;

  // Binds the clouds' point buffers (either may be nullptr). No frame may be in flight.
  void set_clouds(const SequenceBuffer* predicted, const SequenceBuffer* recorded);

  // Outside a render pass: sizes the winners to `extent` (a new buffer only when the extent changes;
  // waits for the device then) and clears them.
  void begin(VkCommandBuffer cmd, VkExtent2D extent);
  // Rasterizes frame `frame` of `cloud` (the one bound as recorded or predicted) with pc's camera and
  // splat size into the viewport `rect`.
  void rasterize(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const SequenceBuffer& cloud,
                 size_t frame, bool recorded);
  // Makes the winners visible to the resolve pass.
  void end(VkCommandBuffer cmd);
  // Inside the render pass: colours and depths the pixels of `rect` that a point won, in pc's colour mode
  // and range; tints[0] / tints[1] (rgb, weight) for the predicted / recorded cloud.
  void resolve(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const float tints[2][4]);

  // After the frame completed: the winner at pixel (x, y), none where no point landed or outside the target.
  std::optional<PixelWinner> winner_at(int x, int y);

 private:
  void create_pipelines(VkRenderPass render_pass, VkSampleCountFlagBits samples);
  void write_descriptors();

  VulkanContext& ctx_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
  VkPipelineLayout raster_layout_ = VK_NULL_HANDLE, resolve_layout_ = VK_NULL_HANDLE;
  VkPipeline raster_ = VK_NULL_HANDLE, resolve_ = VK_NULL_HANDLE;
  Buffer winners_, empty_cloud_, pick_;
  VkExtent2D extent_{0, 0};
  const Buffer* clouds_[2] = {nullptr, nullptr};
};

}  // namespace xwam::render
