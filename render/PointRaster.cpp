// The compute point path's pipelines, descriptors, winners buffer and command recording.
#include "render/PointRaster.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "render/Pipeline.h"
#include "render/RenderError.h"
#include "render/SequenceBuffer.h"
#include "render/VulkanContext.h"

namespace xwam::render {
namespace {

// Mirrors `Raster` in shaders/points_raster.comp.
struct RasterPush {
  Mat4 view_proj;
  float depth_row[4];
  float size[4];
  int32_t rect[4];
  uint32_t points[4];  // first, count, recorded bit, target width
};
static_assert(sizeof(RasterPush) == 128, "must match shaders/points_raster.comp");

// Mirrors `Resolve` in shaders/points_resolve.frag.
struct ResolvePush {
  float depth_row[4];
  float range[4];  // colormap min, max, error max, colour mode
  float tint[2][4];
  uint32_t target[4];
};
static_assert(sizeof(ResolvePush) == 80, "must match shaders/points_resolve.frag");

constexpr uint32_t kGroupSize = 128;     // local_size_x of points_raster.comp
constexpr uint32_t kMaxGroups = 65535;   // the guaranteed maxComputeWorkGroupCount; the shader loops beyond
constexpr uint32_t kRecordedBit = 1u << 31;
constexpr uint64_t kEmpty = ~uint64_t(0);

void barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src, VkPipelineStageFlags dst_stage,
             VkAccessFlags dst) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src;
  b.dstAccessMask = dst;
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, nullptr, 0, nullptr);
}

}  // namespace

PointRaster::PointRaster(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples) : ctx_(ctx) {
  if (!ctx.supports_compute_points())
    throw RenderError("the Vulkan device '" + ctx.device_name() +
                      "' has no 64-bit buffer atomics (shaderBufferInt64Atomics): the compute point path needs them");
  VkDevice device = ctx.device();
  // Winners, predicted points, recorded points: read by the raster (compute) and resolve (fragment) passes.
  VkDescriptorSetLayoutBinding bindings[3] = {};
  for (uint32_t b = 0; b < 3; ++b) {
    bindings[b].binding = b;
    bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[b].descriptorCount = 1;
    bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT | VK_SHADER_STAGE_FRAGMENT_BIT;
  }
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.bindingCount = 3;
  set_info.pBindings = bindings;
  vk_check(vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout_), "vkCreateDescriptorSetLayout");
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = 1;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &size;
  vk_check(vkCreateDescriptorPool(device, &pool_info, nullptr, &pool_), "vkCreateDescriptorPool");
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  alloc.descriptorPool = pool_;
  alloc.descriptorSetCount = 1;
  alloc.pSetLayouts = &set_layout_;
  vk_check(vkAllocateDescriptorSets(device, &alloc, &set_), "vkAllocateDescriptorSets");

  // A missing cloud is bound to a small buffer the shaders never index (no null descriptors in Vulkan 1.0).
  empty_cloud_ = Buffer(ctx, sizeof(PointVertex), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, Buffer::Memory::DeviceLocal);
  pick_ = Buffer(ctx, sizeof(uint64_t), VK_BUFFER_USAGE_TRANSFER_DST_BIT, Buffer::Memory::HostVisible);
  winners_ = Buffer(ctx, sizeof(uint64_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                    Buffer::Memory::DeviceLocal);
  create_pipelines(render_pass, samples);
  write_descriptors();
}

PointRaster::~PointRaster() {
  VkDevice device = ctx_.device();
  vkDeviceWaitIdle(device);
  vkDestroyPipeline(device, raster_, nullptr);
  vkDestroyPipeline(device, resolve_, nullptr);
  vkDestroyPipelineLayout(device, raster_layout_, nullptr);
  vkDestroyPipelineLayout(device, resolve_layout_, nullptr);
  vkDestroyDescriptorPool(device, pool_, nullptr);
  vkDestroyDescriptorSetLayout(device, set_layout_, nullptr);
}

void PointRaster::create_pipelines(VkRenderPass render_pass, VkSampleCountFlagBits samples) {
  VkDevice device = ctx_.device();
  auto make_layout = [&](VkShaderStageFlags stage, uint32_t bytes, VkPipelineLayout* layout) {
    VkPushConstantRange push{stage, 0, bytes};
    VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    info.setLayoutCount = 1;
    info.pSetLayouts = &set_layout_;
    info.pushConstantRangeCount = 1;
    info.pPushConstantRanges = &push;
    vk_check(vkCreatePipelineLayout(device, &info, nullptr, layout), "vkCreatePipelineLayout");
  };
  make_layout(VK_SHADER_STAGE_COMPUTE_BIT, sizeof(RasterPush), &raster_layout_);
  make_layout(VK_SHADER_STAGE_FRAGMENT_BIT, sizeof(ResolvePush), &resolve_layout_);

  // Raster: one compute shader.
  VkShaderModule cs = load_shader_module(device, "points_raster.comp");
  VkComputePipelineCreateInfo compute{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  compute.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  compute.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  compute.stage.module = cs;
  compute.stage.pName = "main";
  compute.layout = raster_layout_;
  const VkResult rc = vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &compute, nullptr, &raster_);
  vkDestroyShaderModule(device, cs, nullptr);
  vk_check(rc, "vkCreateComputePipelines");

  // Resolve: a viewport-covering triangle, depth-tested and depth-writing like the point pipeline.
  VkShaderModule vs = load_shader_module(device, "points_resolve.vert");
  VkShaderModule fs = load_shader_module(device, "points_resolve.frag");
  VkPipelineShaderStageCreateInfo stages[2] = {{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO},
                                               {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO}};
  stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
  stages[0].module = vs;
  stages[0].pName = "main";
  stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
  stages[1].module = fs;
  stages[1].pName = "main";
  VkPipelineVertexInputStateCreateInfo input{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkPipelineViewportStateCreateInfo viewport{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
  viewport.viewportCount = 1;
  viewport.scissorCount = 1;
  VkPipelineRasterizationStateCreateInfo raster{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  raster.polygonMode = VK_POLYGON_MODE_FILL;
  raster.cullMode = VK_CULL_MODE_NONE;
  raster.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  raster.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo multisample{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  multisample.rasterizationSamples = samples;
  VkPipelineDepthStencilStateCreateInfo depth{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
  depth.depthTestEnable = VK_TRUE;
  depth.depthWriteEnable = VK_TRUE;
  depth.depthCompareOp = VK_COMPARE_OP_LESS_OR_EQUAL;
  VkPipelineColorBlendAttachmentState blend_attachment{};
  blend_attachment.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                                    VK_COLOR_COMPONENT_A_BIT;
  VkPipelineColorBlendStateCreateInfo blend{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
  blend.attachmentCount = 1;
  blend.pAttachments = &blend_attachment;
  VkDynamicState dynamic_states[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
  dynamic.dynamicStateCount = 2;
  dynamic.pDynamicStates = dynamic_states;
  VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  info.stageCount = 2;
  info.pStages = stages;
  info.pVertexInputState = &input;
  info.pInputAssemblyState = &assembly;
  info.pViewportState = &viewport;
  info.pRasterizationState = &raster;
  info.pMultisampleState = &multisample;
  info.pDepthStencilState = &depth;
  info.pColorBlendState = &blend;
  info.pDynamicState = &dynamic;
  info.layout = resolve_layout_;
  info.renderPass = render_pass;
  const VkResult rg = vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &resolve_);
  vkDestroyShaderModule(device, vs, nullptr);
  vkDestroyShaderModule(device, fs, nullptr);
  vk_check(rg, "vkCreateGraphicsPipelines (point resolve)");
}

void PointRaster::write_descriptors() {
  const VkBuffer buffers[3] = {winners_.handle(), clouds_[0] ? clouds_[0]->handle() : empty_cloud_.handle(),
                               clouds_[1] ? clouds_[1]->handle() : empty_cloud_.handle()};
  VkDescriptorBufferInfo infos[3];
  VkWriteDescriptorSet writes[3];
  for (uint32_t b = 0; b < 3; ++b) {
    infos[b] = {buffers[b], 0, VK_WHOLE_SIZE};
    writes[b] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[b].dstSet = set_;
    writes[b].dstBinding = b;
    writes[b].descriptorCount = 1;
    writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[b].pBufferInfo = &infos[b];
  }
  vkUpdateDescriptorSets(ctx_.device(), 3, writes, 0, nullptr);
}

void PointRaster::set_clouds(const SequenceBuffer* predicted, const SequenceBuffer* recorded) {
  for (const SequenceBuffer* s : {predicted, recorded})
    if (s && s->total_points() >= kMaxPoints)
      throw RenderError("the compute point path draws sequences of fewer than 2^31 points (this one has " +
                        std::to_string(s->total_points()) + ")");
  clouds_[0] = predicted ? &predicted->points() : nullptr;
  clouds_[1] = recorded ? &recorded->points() : nullptr;
  write_descriptors();
}

void PointRaster::begin(VkCommandBuffer cmd, VkExtent2D extent) {
  if (extent.width != extent_.width || extent.height != extent_.height) {
    // A new size: frames in flight may still read the old winners.
    vkDeviceWaitIdle(ctx_.device());
    winners_ = Buffer(ctx_, VkDeviceSize(extent.width) * extent.height * sizeof(uint64_t),
                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      Buffer::Memory::DeviceLocal);
    extent_ = extent;
    write_descriptors();
  }
  // The previous frame's resolve (and pick copies) must be done reading before the clear.
  barrier(cmd, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, VK_PIPELINE_STAGE_TRANSFER_BIT,
          VK_ACCESS_TRANSFER_WRITE_BIT);
  vkCmdFillBuffer(cmd, winners_.handle(), 0, VK_WHOLE_SIZE, 0xffffffffu);
  barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
          VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, raster_);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, raster_layout_, 0, 1, &set_, 0, nullptr);
}

void PointRaster::rasterize(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const SequenceBuffer& cloud,
                            size_t frame, bool recorded) {
  const uint32_t count = static_cast<uint32_t>(cloud.point_count(frame));
  if (count == 0) return;
  RasterPush push;
  push.view_proj = pc.view_proj;
  std::memcpy(push.depth_row, pc.depth_row, sizeof push.depth_row);
  std::memcpy(push.size, pc.size, sizeof push.size);
  push.rect[0] = rect.offset.x;
  push.rect[1] = rect.offset.y;
  push.rect[2] = static_cast<int32_t>(rect.extent.width);
  push.rect[3] = static_cast<int32_t>(rect.extent.height);
  push.points[0] = static_cast<uint32_t>(cloud.first_point(frame));
  push.points[1] = count;
  push.points[2] = recorded ? kRecordedBit : 0;
  push.points[3] = extent_.width;
  vkCmdPushConstants(cmd, raster_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
  vkCmdDispatch(cmd, std::min(kMaxGroups, (count + kGroupSize - 1) / kGroupSize), 1, 1);
}

void PointRaster::end(VkCommandBuffer cmd) {
  barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
          VK_ACCESS_SHADER_READ_BIT);
}

void PointRaster::resolve(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const float tints[2][4]) {
  ResolvePush push;
  std::memcpy(push.depth_row, pc.depth_row, sizeof push.depth_row);
  push.range[0] = pc.range[0];
  push.range[1] = pc.range[1];
  push.range[2] = pc.range[2];
  push.range[3] = pc.size[3];
  std::memcpy(push.tint, tints, sizeof push.tint);
  push.target[0] = extent_.width;
  push.target[1] = push.target[2] = push.target[3] = 0;
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, resolve_);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, resolve_layout_, 0, 1, &set_, 0, nullptr);
  vkCmdPushConstants(cmd, resolve_layout_, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof push, &push);
  vkCmdDraw(cmd, 3, 1, 0, 0);
}

std::optional<PixelWinner> PointRaster::winner_at(int x, int y) {
  if (x < 0 || y < 0 || uint32_t(x) >= extent_.width || uint32_t(y) >= extent_.height) return std::nullopt;
  const VkDeviceSize offset = (VkDeviceSize(y) * extent_.width + uint32_t(x)) * sizeof(uint64_t);
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) {
    barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_TRANSFER_READ_BIT);
    VkBufferCopy copy{offset, 0, sizeof(uint64_t)};
    vkCmdCopyBuffer(cmd, winners_.handle(), pick_.handle(), 1, &copy);
    barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
            VK_ACCESS_HOST_READ_BIT);
  });
  uint64_t value;
  std::memcpy(&value, pick_.mapped(), sizeof value);
  if (value == kEmpty) return std::nullopt;
  PixelWinner w;
  const uint32_t tag = uint32_t(value), depth_bits = uint32_t(value >> 32);
  w.recorded = tag & kRecordedBit;
  w.index = tag & ~kRecordedBit;
  std::memcpy(&w.depth, &depth_bits, sizeof w.depth);
  return w;
}

}  // namespace xwam::render
