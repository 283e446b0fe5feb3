// Image creation and the depth format choice.
#include "render/Image.h"

#include "render/RenderError.h"
#include "render/VulkanContext.h"

namespace xwam::render {

Image::Image(VulkanContext& ctx, uint32_t width, uint32_t height, VkFormat format, VkImageUsageFlags usage,
             VkImageAspectFlags aspect)
    : ctx_(ctx), format_(format) {
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = format;
  info.extent = {width, height, 1};
  info.mipLevels = 1;
  info.arrayLayers = 1;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = VK_IMAGE_TILING_OPTIMAL;
  info.usage = usage;
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  vk_check(vkCreateImage(ctx.device(), &info, nullptr, &image_), "vkCreateImage");
  try {
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(ctx.device(), image_, &req);
    memory_ = ctx.allocate(req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, nullptr);
    vk_check(vkBindImageMemory(ctx.device(), image_, memory_, 0), "vkBindImageMemory");
    VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    view.image = image_;
    view.viewType = VK_IMAGE_VIEW_TYPE_2D;
    view.format = format;
    view.subresourceRange = {aspect, 0, 1, 0, 1};
    vk_check(vkCreateImageView(ctx.device(), &view, nullptr, &view_), "vkCreateImageView");
  } catch (...) {
    ctx.free(memory_);
    vkDestroyImage(ctx.device(), image_, nullptr);
    throw;
  }
}

Image::~Image() {
  vkDestroyImageView(ctx_.device(), view_, nullptr);
  vkDestroyImage(ctx_.device(), image_, nullptr);
  ctx_.free(memory_);
}

VkFormat pick_depth_format(VkPhysicalDevice physical) {
  for (VkFormat f : {VK_FORMAT_D32_SFLOAT, VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D16_UNORM}) {
    VkFormatProperties props;
    vkGetPhysicalDeviceFormatProperties(physical, f, &props);
    if (props.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT) return f;
  }
  throw RenderError("the Vulkan device supports no depth attachment format");
}

}  // namespace xwam::render
