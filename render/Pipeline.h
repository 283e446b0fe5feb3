// The renderer's graphics pipelines (points and lines) for a given render pass, with their shared
// layout (push constants only, no descriptors). Viewport and scissor are dynamic.
#pragma once
#include <cstdint>

#include <vulkan/vulkan.h>

namespace xwam::render {

class VulkanContext;

// Vertex layouts the pipelines read.
struct PointVertex {  // 20 bytes
  float position[3];
  uint8_t rgb_view[4];  // r, g, b, source view index
  float error_m;        // < 0: none
};
struct LineVertex {  // 16 bytes
  float position[3];
  uint8_t rgba[4];
};
struct LineInstance {  // 80 bytes: model matrix (column-major) and a colour multiplied in
  float model[16];
  float color[4];
};

// A shader module from the embedded SPIR-V named `name` (e.g. "points.vert"); the caller destroys it.
VkShaderModule load_shader_module(VkDevice device, const char* name);

class Pipeline {
 public:
  enum class Kind { Points, Lines };

  Pipeline(VulkanContext& ctx, Kind kind, VkRenderPass render_pass, VkSampleCountFlagBits samples);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }

 private:
  VulkanContext& ctx_;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace xwam::render
