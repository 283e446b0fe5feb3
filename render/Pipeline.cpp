// Pipeline creation from the embedded SPIR-V.
#include "render/Pipeline.h"

#include <cstddef>
#include <string>
#include <vector>

#include "render/PushConstants.h"
#include "render/RenderError.h"
#include "render/VulkanContext.h"
#include "shaders/Spirv.h"

namespace xwam::render {
VkShaderModule load_shader_module(VkDevice device, const char* name) {
  const shaders::Spirv code = shaders::spirv(name);
  if (!code.words) throw RenderError(std::string("shader not embedded: ") + name);
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  info.codeSize = code.size_bytes;
  info.pCode = code.words;
  VkShaderModule module = VK_NULL_HANDLE;
  vk_check(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule");
  return module;
}

Pipeline::Pipeline(VulkanContext& ctx, Kind kind, VkRenderPass render_pass, VkSampleCountFlagBits samples) : ctx_(ctx) {
  VkDevice device = ctx.device();
  VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(PushConstants)};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &push;
  vk_check(vkCreatePipelineLayout(device, &layout_info, nullptr, &layout_), "vkCreatePipelineLayout");

  const bool points = kind == Kind::Points;
  VkShaderModule vs = load_shader_module(device, points ? "points.vert" : "lines.vert");
  VkShaderModule fs = VK_NULL_HANDLE;
  try {
    fs = load_shader_module(device, points ? "points.frag" : "lines.frag");
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

  std::vector<VkVertexInputBindingDescription> bindings;
  std::vector<VkVertexInputAttributeDescription> attributes;
  if (points) {
    bindings.push_back({0, sizeof(PointVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    attributes.push_back({0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(PointVertex, position)});
    attributes.push_back({1, 0, VK_FORMAT_R8G8B8A8_UNORM, offsetof(PointVertex, rgb_view)});
    attributes.push_back({2, 0, VK_FORMAT_R32_SFLOAT, offsetof(PointVertex, error_m)});
  } else {
    bindings.push_back({0, sizeof(LineVertex), VK_VERTEX_INPUT_RATE_VERTEX});
    bindings.push_back({1, sizeof(LineInstance), VK_VERTEX_INPUT_RATE_INSTANCE});
    attributes.push_back({0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(LineVertex, position)});
    attributes.push_back({1, 0, VK_FORMAT_R8G8B8A8_UNORM, offsetof(LineVertex, rgba)});
    for (uint32_t c = 0; c < 4; ++c)
      attributes.push_back({2 + c, 1, VK_FORMAT_R32G32B32A32_SFLOAT, uint32_t(offsetof(LineInstance, model) + 16 * c)});
    attributes.push_back({6, 1, VK_FORMAT_R32G32B32A32_SFLOAT, offsetof(LineInstance, color)});
  }
  VkPipelineVertexInputStateCreateInfo input{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  input.vertexBindingDescriptionCount = static_cast<uint32_t>(bindings.size());
  input.pVertexBindingDescriptions = bindings.data();
  input.vertexAttributeDescriptionCount = static_cast<uint32_t>(attributes.size());
  input.pVertexAttributeDescriptions = attributes.data();

  VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  assembly.topology = points ? VK_PRIMITIVE_TOPOLOGY_POINT_LIST : VK_PRIMITIVE_TOPOLOGY_LINE_LIST;
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
  if (!points) {  // Lines carry alpha (the grid fades into the background).
    blend_attachment.blendEnable = VK_TRUE;
    blend_attachment.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA;
    blend_attachment.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend_attachment.colorBlendOp = VK_BLEND_OP_ADD;
    blend_attachment.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
    blend_attachment.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
    blend_attachment.alphaBlendOp = VK_BLEND_OP_ADD;
  }
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
  info.layout = layout_;
  info.renderPass = render_pass;
  const VkResult r = vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline_);
  vkDestroyShaderModule(device, vs, nullptr);
  vkDestroyShaderModule(device, fs, nullptr);
  if (r != VK_SUCCESS) {
    vkDestroyPipelineLayout(device, layout_, nullptr);
    vk_check(r, "vkCreateGraphicsPipelines");
  }
}

Pipeline::~Pipeline() {
  vkDestroyPipeline(ctx_.device(), pipeline_, nullptr);
  vkDestroyPipelineLayout(ctx_.device(), layout_, nullptr);
}

}  // namespace xwam::render
