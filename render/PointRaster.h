// The compute point path: points projected in a compute shader, the nearest one per pixel kept with a
// 64-bit atomicMin of (depth bits << 32 | colour) in a buffer the size of the target ("winners"), then a
// fragment pass in the caller's render pass that gives each pixel its winner's colour and depth. For
// picking, the same raster writes (depth, point index) instead. Needs
// VulkanContext::supports_compute_points(); SceneRenderer drives it.
//
//   PointRaster raster(ctx, render_pass, samples);
//   raster.set_clouds(predicted, recorded);       // when the sequences change, no frame in flight
//   // outside the render pass:
//   if (raster.begin(cmd, extent)) {  raster.rasterize(cmd, pc, rect, cloud, frame, recorded, tint);  raster.end(cmd); }
//   // inside it, per viewport (its viewport and scissor set):
//   raster.resolve(cmd);
//
// Each frame's points are read in ranges of at most maxStorageBufferRange bytes (dynamic offsets), so
// frames of any size fit (lavapipe allows 128 MiB, 6.7 M points, per range). Picking tags: bit 31 marks
// the recorded cloud, the low 31 bits are the point's index in its sequence buffer. Errors: RenderError.
// One thread.
#pragma once
#include <cstdint>
#include <optional>

#include <vulkan/vulkan.h>

#include "render/Buffer.h"
#include "render/PushConstants.h"

namespace xwam::render {

class SequenceBuffer;
class VulkanContext;

// What a pixel holds after a picking raster: which cloud, and the point's index in that sequence's buffer.
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
  // waits for the device then) and clears them. False, recording nothing, when the target is too large
  // for one storage buffer or its texel view (the caller draws the hardware path then).
  bool begin(VkCommandBuffer cmd, VkExtent2D extent);
  // Rasterizes frame `frame` of `cloud` (the one bound as recorded or predicted) with pc's camera, splat
  // size, colour mode and range into the viewport `rect`, mixed with `tint` (rgb, weight). With `pick`
  // the pixels keep point indices instead of colours (see winner_at).
  void rasterize(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const SequenceBuffer& cloud,
                 size_t frame, bool recorded, const float tint[4], bool pick = false);
  // Makes the winners visible to the resolve pass.
  void end(VkCommandBuffer cmd);
  // Inside the render pass, with a viewport and scissor set: colours and depths the pixels under the
  // scissor that a point won.
  void resolve(VkCommandBuffer cmd);

  // After a picking raster has completed: the winner at pixel (x, y); none where no point landed or
  // outside the target. Waits for the device.
  std::optional<PixelWinner> winner_at(int x, int y);

 private:
  void create_pipelines(VkRenderPass render_pass, VkSampleCountFlagBits samples);
  void write_descriptors();

  VulkanContext& ctx_;
  VkDescriptorSetLayout raster_set_layout_ = VK_NULL_HANDLE, resolve_set_layout_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkDescriptorSet raster_sets_[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};  // predicted, recorded
  VkDescriptorSet resolve_set_ = VK_NULL_HANDLE;
  VkPipelineLayout raster_layout_ = VK_NULL_HANDLE, resolve_layout_ = VK_NULL_HANDLE;
  VkPipeline raster_ = VK_NULL_HANDLE, resolve_ = VK_NULL_HANDLE;
  Buffer winners_, empty_cloud_, pick_;
  VkBufferView winners_view_ = VK_NULL_HANDLE;
  VkExtent2D extent_{0, 0};
  const Buffer* clouds_[2] = {nullptr, nullptr};
  size_t capacity_points_[2] = {0, 0};  // points the clouds' buffers hold (padding included)
  size_t range_points_[2] = {0, 0};     // points one descriptor range covers
  VkDeviceSize max_range_bytes_ = 0;    // maxStorageBufferRange
  uint32_t max_texels_ = 0;             // maxTexelBufferElements
  uint32_t max_groups_ = 0;             // workgroups per dispatch; the shader loops over the rest
};

}  // namespace xwam::render
