// An RAII 2D Vulkan image with its memory and one view (colour or depth attachments of a target).
#pragma once
#include <vulkan/vulkan.h>

namespace xwam::render {

class VulkanContext;

class Image {
 public:
  Image(VulkanContext& ctx, uint32_t width, uint32_t height, VkFormat format, VkImageUsageFlags usage,
        VkImageAspectFlags aspect);
  ~Image();
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  VkImage handle() const { return image_; }
  VkImageView view() const { return view_; }
  VkFormat format() const { return format_; }

 private:
  VulkanContext& ctx_;
  VkImage image_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkFormat format_;
};

// The first of D32_SFLOAT, D24_UNORM_S8_UINT, D16_UNORM the device can use as a depth attachment.
VkFormat pick_depth_format(VkPhysicalDevice physical);

}  // namespace xwam::render
