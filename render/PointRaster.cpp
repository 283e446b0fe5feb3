// The compute point path's pipelines, descriptors, winners buffer and command recording.
#include "render/PointRaster.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "render/Pipeline.h"
#include "render/RenderError.h"
#include "render/SequenceBuffer.h"
#include "render/VulkanContext.h"

namespace xwam::render {
namespace {

// Mirrors `Raster` in shaders/points_raster.comp.
struct RasterPush {
  Mat4 view_proj;
  float size[4];  // px, m, focal px, error at the top of the scale
  float tint[4];
  float colormap[2];
  uint32_t flags;  // colour mode | pick << 8 | target width << 16 | recorded << 31
  uint32_t rect_origin, rect_size;
  uint32_t skip, count, base;
};
static_assert(sizeof(RasterPush) == 128, "must match shaders/points_raster.comp");

constexpr uint32_t kGroupSize = 128;    // local_size_x of points_raster.comp
constexpr uint32_t kMaxGroups = 65535;  // the guaranteed maxComputeWorkGroupCount; the shader loops beyond
// On a CPU device (lavapipe) every invocation has a fixed cost about that of projecting a point (an
// empty dispatch of 1 M invocations took ~100 ms on the loaded 2-core machine), so there a few
// workgroups loop over many points each.
constexpr uint32_t kCpuGroupsPerThread = 32;
constexpr uint32_t kPickBit = 1u << 8;
constexpr uint32_t kRecordedBit = 1u << 31;
constexpr uint32_t kMaxWidth = 0x7fff;  // the target width's 15 bits in `flags`
constexpr uint64_t kEmpty = ~uint64_t(0);

void barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src, VkPipelineStageFlags dst_stage,
             VkAccessFlags dst) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src;
  b.dstAccessMask = dst;
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, nullptr, 0, nullptr);
}

VkDescriptorSetLayout make_set_layout(VkDevice device, const VkDescriptorSetLayoutBinding* bindings, uint32_t count) {
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.bindingCount = count;
  info.pBindings = bindings;
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  vk_check(vkCreateDescriptorSetLayout(device, &info, nullptr, &layout), "vkCreateDescriptorSetLayout");
  return layout;
}

}  // namespace

PointRaster::PointRaster(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples) : ctx_(ctx) {
  if (!ctx.supports_compute_points())
    throw RenderError("the Vulkan device '" + ctx.device_name() +
                      "' has no 64-bit buffer atomics (shaderBufferInt64Atomics): the compute point path needs them");
  VkDevice device = ctx.device();
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(ctx.physical_device(), &props);
  max_range_bytes_ = props.limits.maxStorageBufferRange;
  max_texels_ = props.limits.maxTexelBufferElements;
  max_groups_ = ctx.is_software() ? std::max(1u, std::thread::hardware_concurrency()) * kCpuGroupsPerThread : kMaxGroups;
  // Frames start at multiples of SequenceBuffer::kFrameAlignPoints points, which dynamic offsets need.
  if ((SequenceBuffer::kFrameAlignPoints * sizeof(PointVertex)) % props.limits.minStorageBufferOffsetAlignment != 0)
    throw RenderError("minStorageBufferOffsetAlignment " + std::to_string(props.limits.minStorageBufferOffsetAlignment) +
                      " does not divide the point frames' alignment");

  // Raster: the winners and one cloud's points (a dynamic range of them). Resolve: the winners as texels.
  const VkDescriptorSetLayoutBinding raster_bindings[2] = {
      {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
  raster_set_layout_ = make_set_layout(device, raster_bindings, 2);
  const VkDescriptorSetLayoutBinding resolve_binding = {0, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1,
                                                        VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  resolve_set_layout_ = make_set_layout(device, &resolve_binding, 1);
  const VkDescriptorPoolSize sizes[3] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2},
                                         {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 2},
                                         {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1}};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = 3;
  pool_info.poolSizeCount = 3;
  pool_info.pPoolSizes = sizes;
  vk_check(vkCreateDescriptorPool(device, &pool_info, nullptr, &pool_), "vkCreateDescriptorPool");
  const VkDescriptorSetLayout layouts[3] = {raster_set_layout_, raster_set_layout_, resolve_set_layout_};
  VkDescriptorSet sets[3];
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  alloc.descriptorPool = pool_;
  alloc.descriptorSetCount = 3;
  alloc.pSetLayouts = layouts;
  vk_check(vkAllocateDescriptorSets(device, &alloc, sets), "vkAllocateDescriptorSets");
  raster_sets_[0] = sets[0];
  raster_sets_[1] = sets[1];
  resolve_set_ = sets[2];

  // A missing cloud is bound to a small buffer the shader never reads (no null descriptors in Vulkan 1.0).
  empty_cloud_ = Buffer(ctx, SequenceBuffer::kFrameAlignPoints * sizeof(PointVertex), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                        Buffer::Memory::DeviceLocal);
  pick_ = Buffer(ctx, sizeof(uint64_t), VK_BUFFER_USAGE_TRANSFER_DST_BIT, Buffer::Memory::HostVisible);
  create_pipelines(render_pass, samples);
}

PointRaster::~PointRaster() {
  VkDevice device = ctx_.device();
  vkDeviceWaitIdle(device);
  if (winners_view_) vkDestroyBufferView(device, winners_view_, nullptr);
  vkDestroyPipeline(device, raster_, nullptr);
  vkDestroyPipeline(device, resolve_, nullptr);
  vkDestroyPipelineLayout(device, raster_layout_, nullptr);
  vkDestroyPipelineLayout(device, resolve_layout_, nullptr);
  vkDestroyDescriptorPool(device, pool_, nullptr);
  vkDestroyDescriptorSetLayout(device, raster_set_layout_, nullptr);
  vkDestroyDescriptorSetLayout(device, resolve_set_layout_, nullptr);
}

void PointRaster::create_pipelines(VkRenderPass render_pass, VkSampleCountFlagBits samples) {
  VkDevice device = ctx_.device();
  auto make_layout = [&](VkDescriptorSetLayout set, VkShaderStageFlags stage, uint32_t bytes, VkPipelineLayout* layout) {
    VkPushConstantRange push{stage, 0, bytes};
    VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    info.setLayoutCount = 1;
    info.pSetLayouts = &set;
    info.pushConstantRangeCount = 1;
    info.pPushConstantRanges = &push;
    vk_check(vkCreatePipelineLayout(device, &info, nullptr, layout), "vkCreatePipelineLayout");
  };
  make_layout(raster_set_layout_, VK_SHADER_STAGE_COMPUTE_BIT, sizeof(RasterPush), &raster_layout_);
  make_layout(resolve_set_layout_, VK_SHADER_STAGE_FRAGMENT_BIT, sizeof(uint32_t), &resolve_layout_);

  // Raster: one compute shader, told the rasterizer's sub-pixel grid so its points land where the
  // hardware path's do.
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(ctx_.physical_device(), &props);
  const float subpixel_steps = float(1u << std::min(props.limits.subPixelPrecisionBits, 16u));
  const VkSpecializationMapEntry entry{0, 0, sizeof(float)};
  VkSpecializationInfo specialization{1, &entry, sizeof subpixel_steps, &subpixel_steps};
  VkShaderModule cs = load_shader_module(device, "points_raster.comp");
  VkComputePipelineCreateInfo compute{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  compute.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  compute.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  compute.stage.module = cs;
  compute.stage.pName = "main";
  compute.stage.pSpecializationInfo = &specialization;
  compute.layout = raster_layout_;
  const VkResult rc = vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &compute, nullptr, &raster_);
  vkDestroyShaderModule(device, cs, nullptr);
  vk_check(rc, "vkCreateComputePipelines");

  // Resolve: a viewport-covering triangle, depth-tested and depth-writing like the point pipeline.
  VkShaderModule vs = load_shader_module(device, "points_resolve.vert");
  VkShaderModule fs = VK_NULL_HANDLE;
  try {
    fs = load_shader_module(device, "points_resolve.frag");
  } catch (...) {
    vkDestroyShaderModule(device, vs, nullptr);
    throw;
  }
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
  VkDescriptorBufferInfo infos[4];
  VkWriteDescriptorSet writes[5];
  uint32_t n = 0;
  for (int slot = 0; slot < 2; ++slot) {
    const VkDeviceSize range = clouds_[slot] ? range_points_[slot] * sizeof(PointVertex) : empty_cloud_.size();
    infos[2 * slot] = {winners_.handle(), 0, VK_WHOLE_SIZE};
    infos[2 * slot + 1] = {clouds_[slot] ? clouds_[slot]->handle() : empty_cloud_.handle(), 0, range};
    for (uint32_t b = 0; b < 2; ++b) {
      if (b == 0 && !winners_.handle()) continue;  // sized by the first begin()
      VkWriteDescriptorSet& w = writes[n++];
      w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
      w.dstSet = raster_sets_[slot];
      w.dstBinding = b;
      w.descriptorCount = 1;
      w.descriptorType = b == 0 ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
      w.pBufferInfo = &infos[2 * slot + b];
    }
  }
  if (winners_view_) {
    VkWriteDescriptorSet& w = writes[n++];
    w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = resolve_set_;
    w.dstBinding = 0;
    w.descriptorCount = 1;
    w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    w.pTexelBufferView = &winners_view_;
  }
  vkUpdateDescriptorSets(ctx_.device(), n, writes, 0, nullptr);
}

void PointRaster::set_clouds(const SequenceBuffer* predicted, const SequenceBuffer* recorded) {
  const SequenceBuffer* clouds[2] = {predicted, recorded};
  for (int slot = 0; slot < 2; ++slot) {
    const SequenceBuffer* s = clouds[slot];
    if (s && s->capacity_points() >= kMaxPoints)
      throw RenderError("the compute point path draws sequences of fewer than 2^31 points (this one has " +
                        std::to_string(s->total_points()) + ")");
    clouds_[slot] = s ? &s->points() : nullptr;
    capacity_points_[slot] = s ? s->capacity_points() : 0;
    // The largest whole number of aligned blocks one storage-buffer range may hold.
    const size_t block = SequenceBuffer::kFrameAlignPoints;
    const size_t max_points = max_range_bytes_ / sizeof(PointVertex) / block * block;
    range_points_[slot] = std::min(capacity_points_[slot], max_points);
  }
  write_descriptors();
}

bool PointRaster::begin(VkCommandBuffer cmd, VkExtent2D extent) {
  const VkDeviceSize pixels = VkDeviceSize(extent.width) * extent.height;
  if (extent.width > kMaxWidth || extent.height > 0xffff || pixels * sizeof(uint64_t) > max_range_bytes_ ||
      pixels > max_texels_)
    return false;
  if (extent.width != extent_.width || extent.height != extent_.height) {
    // A new size: frames in flight may still read the old winners.
    vkDeviceWaitIdle(ctx_.device());
    if (winners_view_) vkDestroyBufferView(ctx_.device(), winners_view_, nullptr);
    winners_view_ = VK_NULL_HANDLE;
    winners_ = Buffer(ctx_, pixels * sizeof(uint64_t),
                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                          VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      Buffer::Memory::DeviceLocal);
    VkBufferViewCreateInfo view{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
    view.buffer = winners_.handle();
    view.format = VK_FORMAT_R32G32_UINT;
    view.range = VK_WHOLE_SIZE;
    vk_check(vkCreateBufferView(ctx_.device(), &view, nullptr, &winners_view_), "vkCreateBufferView");
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
  return true;
}

void PointRaster::rasterize(VkCommandBuffer cmd, const PushConstants& pc, VkRect2D rect, const SequenceBuffer& cloud,
                            size_t frame, bool recorded, const float tint[4], bool pick) {
  const int slot = recorded ? 1 : 0;
  RasterPush push;
  push.view_proj = pc.view_proj;
  push.size[0] = pc.size[0];
  push.size[1] = pc.size[1];
  push.size[2] = pc.size[2];
  push.size[3] = pc.range[2];
  std::memcpy(push.tint, tint, sizeof push.tint);
  push.colormap[0] = pc.range[0];
  push.colormap[1] = pc.range[1];
  push.flags = uint32_t(pc.size[3] + 0.5f) | (pick ? kPickBit : 0) | (extent_.width << 16) | (recorded ? kRecordedBit : 0);
  push.rect_origin = uint32_t(rect.offset.x) | uint32_t(rect.offset.y) << 16;
  push.rect_size = rect.extent.width | rect.extent.height << 16;

  // The frame in ranges of at most range_points_ points; the last range ends at the buffer's end.
  const size_t range = range_points_[slot], capacity = capacity_points_[slot];
  size_t first = cloud.first_point(frame), remaining = cloud.point_count(frame);
  while (remaining > 0) {
    const size_t offset = std::min(first, capacity - range);
    const size_t skip = first - offset;
    const size_t count = std::min(remaining, range - skip);
    push.skip = uint32_t(skip);
    push.count = uint32_t(count);
    push.base = uint32_t(offset);
    const uint32_t dynamic_offset = uint32_t(offset * sizeof(PointVertex));
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, raster_layout_, 0, 1, &raster_sets_[slot], 1,
                            &dynamic_offset);
    vkCmdPushConstants(cmd, raster_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
    vkCmdDispatch(cmd, std::min<size_t>(max_groups_, (count + kGroupSize - 1) / kGroupSize), 1, 1);
    first += count;
    remaining -= count;
  }
}

void PointRaster::end(VkCommandBuffer cmd) {
  barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
          VK_ACCESS_SHADER_READ_BIT);
}

void PointRaster::resolve(VkCommandBuffer cmd) {
  const uint32_t stride = extent_.width;
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, resolve_);
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, resolve_layout_, 0, 1, &resolve_set_, 0, nullptr);
  vkCmdPushConstants(cmd, resolve_layout_, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof stride, &stride);
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
