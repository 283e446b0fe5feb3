// Offscreen render pass: colour ends in TRANSFER_SRC layout so it can be copied out right away.
#include "render/OffscreenTarget.h"

#include <cstring>

#include "render/RenderError.h"
#include "render/VulkanContext.h"

namespace xwam::render {

OffscreenTarget::OffscreenTarget(VulkanContext& ctx, uint32_t width, uint32_t height)
    : ctx_(ctx), width_(width), height_(height) {
  if (width == 0 || height == 0) throw RenderError("offscreen target size must be positive");
  const VkFormat depth_format = pick_depth_format(ctx.physical_device());
  color_ = std::make_unique<Image>(ctx, width, height, kColorFormat,
                                   VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                   VK_IMAGE_ASPECT_COLOR_BIT);
  depth_ = std::make_unique<Image>(ctx, width, height, depth_format, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
                                   VK_IMAGE_ASPECT_DEPTH_BIT);

  VkAttachmentDescription attachments[2] = {};
  attachments[0].format = kColorFormat;
  attachments[0].samples = VK_SAMPLE_COUNT_1_BIT;
  attachments[0].loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  attachments[0].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  attachments[0].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  attachments[0].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  attachments[0].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  attachments[0].finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  attachments[1] = attachments[0];
  attachments[1].format = depth_format;
  attachments[1].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  attachments[1].finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
  VkAttachmentReference color_ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkAttachmentReference depth_ref{1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &color_ref;
  subpass.pDepthStencilAttachment = &depth_ref;
  // The colour writes must finish before the readback copy.
  VkSubpassDependency dep{};
  dep.srcSubpass = 0;
  dep.dstSubpass = VK_SUBPASS_EXTERNAL;
  dep.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dep.dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  dep.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  dep.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  VkRenderPassCreateInfo pass{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  pass.attachmentCount = 2;
  pass.pAttachments = attachments;
  pass.subpassCount = 1;
  pass.pSubpasses = &subpass;
  pass.dependencyCount = 1;
  pass.pDependencies = &dep;
  vk_check(vkCreateRenderPass(ctx.device(), &pass, nullptr, &render_pass_), "vkCreateRenderPass");

  VkImageView views[2] = {color_->view(), depth_->view()};
  VkFramebufferCreateInfo fb{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
  fb.renderPass = render_pass_;
  fb.attachmentCount = 2;
  fb.pAttachments = views;
  fb.width = width;
  fb.height = height;
  fb.layers = 1;
  vk_check(vkCreateFramebuffer(ctx.device(), &fb, nullptr, &framebuffer_), "vkCreateFramebuffer");
  readback_ = Buffer(ctx, VkDeviceSize(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, Buffer::Memory::HostVisible);
}

OffscreenTarget::~OffscreenTarget() {
  vkDeviceWaitIdle(ctx_.device());
  vkDestroyFramebuffer(ctx_.device(), framebuffer_, nullptr);
  vkDestroyRenderPass(ctx_.device(), render_pass_, nullptr);
}

void OffscreenTarget::begin(VkCommandBuffer cmd, const float clear_rgba[4]) const {
  VkClearValue clears[2];
  std::memcpy(clears[0].color.float32, clear_rgba, 4 * sizeof(float));
  clears[1].depthStencil = {1.0f, 0};
  VkRenderPassBeginInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  info.renderPass = render_pass_;
  info.framebuffer = framebuffer_;
  info.renderArea = {{0, 0}, {width_, height_}};
  info.clearValueCount = 2;
  info.pClearValues = clears;
  vkCmdBeginRenderPass(cmd, &info, VK_SUBPASS_CONTENTS_INLINE);
}

void OffscreenTarget::record_readback(VkCommandBuffer cmd) const {
  VkBufferImageCopy copy{};
  copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  copy.imageExtent = {width_, height_, 1};
  vkCmdCopyImageToBuffer(cmd, color_->handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback_.handle(), 1, &copy);
  // Make the copy visible to the host read in pixels().
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
}

RgbaImage OffscreenTarget::pixels() const {
  RgbaImage image;
  image.width = static_cast<int>(width_);
  image.height = static_cast<int>(height_);
  const auto* src = static_cast<const uint8_t*>(readback_.mapped());
  image.pixels.assign(src, src + size_t(width_) * height_ * 4);
  return image;
}

}  // namespace xwam::render
