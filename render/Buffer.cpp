// Buffer creation, mapping and uploads.
#include "render/Buffer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "render/RenderError.h"
#include "render/VulkanContext.h"

namespace xwam::render {

Buffer::Buffer(VulkanContext& ctx, VkDeviceSize size, VkBufferUsageFlags usage, Memory memory) : ctx_(&ctx), size_(size) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = std::max<VkDeviceSize>(size, 4);
  info.usage = usage | (memory == Memory::DeviceLocal ? VK_BUFFER_USAGE_TRANSFER_DST_BIT : 0);
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  vk_check(vkCreateBuffer(ctx.device(), &info, nullptr, &buffer_), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx.device(), buffer_, &req);
  VkMemoryPropertyFlags flags = 0;
  try {
    if (memory == Memory::HostVisible)
      memory_ = ctx.allocate(req, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, &flags);
    else  // Device-local, and mappable too where the device offers it (saves the staging copy).
      memory_ = ctx.allocate(req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, &flags);
  } catch (...) {
    vkDestroyBuffer(ctx.device(), buffer_, nullptr);
    throw;
  }
  vk_check(vkBindBufferMemory(ctx.device(), buffer_, memory_, 0), "vkBindBufferMemory");
  coherent_ = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
    vk_check(vkMapMemory(ctx.device(), memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& other) noexcept { *this = std::move(other); }

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    ctx_ = std::exchange(other.ctx_, nullptr);
    buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
    memory_ = std::exchange(other.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, nullptr);
    coherent_ = other.coherent_;
  }
  return *this;
}

void Buffer::release() {
  if (!ctx_) return;
  if (buffer_) vkDestroyBuffer(ctx_->device(), buffer_, nullptr);
  if (memory_) ctx_->free(memory_);  // unmaps implicitly
  ctx_ = nullptr;
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
}

void Buffer::flush() {
  if (!mapped_ || coherent_) return;
  VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
  range.memory = memory_;
  range.offset = 0;
  range.size = VK_WHOLE_SIZE;
  vk_check(vkFlushMappedMemoryRanges(ctx_->device(), 1, &range), "vkFlushMappedMemoryRanges");
}

void Buffer::upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset) {
  if (offset + bytes > size_) throw RenderError("Buffer::upload past the end of the buffer");
  if (bytes == 0) return;
  if (mapped_) {
    std::memcpy(static_cast<char*>(mapped_) + offset, data, bytes);
    flush();
    return;
  }
  // Staging in chunks of at most 64 MiB so a large sequence does not need a second full-size copy.
  const VkDeviceSize chunk = std::min<VkDeviceSize>(bytes, 64ull << 20);
  Buffer staging(*ctx_, chunk, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, Memory::HostVisible);
  for (VkDeviceSize done = 0; done < bytes; done += chunk) {
    const VkDeviceSize n = std::min(chunk, bytes - done);
    staging.upload(static_cast<const char*>(data) + done, n);
    ctx_->submit_and_wait([&](VkCommandBuffer cmd) {
      VkBufferCopy copy{0, offset + done, n};
      vkCmdCopyBuffer(cmd, staging.handle(), buffer_, 1, &copy);
    });
  }
}

}  // namespace xwam::render
