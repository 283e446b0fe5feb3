// An RAII Vulkan buffer with its own memory. Host-visible buffers stay mapped; device-local buffers
// are filled through a staging buffer, or mapped directly when the device has memory that is both
// (integrated GPUs, lavapipe).
#pragma once
#include <cstddef>

#include <vulkan/vulkan.h>

namespace xwam::render {

class VulkanContext;

class Buffer {
 public:
  enum class Memory { HostVisible, DeviceLocal };

  Buffer() = default;
  Buffer(VulkanContext& ctx, VkDeviceSize size, VkBufferUsageFlags usage, Memory memory);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  // Mapped pointer, or nullptr when the memory is not host-visible.
  void* mapped() const { return mapped_; }
  // Copies `bytes` to `offset`: memcpy when mapped, else through a staging buffer (waits for the copy).
  void upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset = 0);
  // Makes writes through mapped() visible to the device (a no-op on host-coherent memory).
  void flush();

 private:
  void release();

  VulkanContext* ctx_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  void* mapped_ = nullptr;
  bool coherent_ = true;
};

}  // namespace xwam::render
