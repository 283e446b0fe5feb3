// The Vulkan instance, device and graphics queue the renderer draws with, plus the memory allocator
// every buffer and image goes through (it counts live allocations, so tests can see leaks).
//
//   VulkanContext ctx;                                   // owns instance + device (offscreen, CLI, tests)
//   auto borrowed = VulkanContext::borrow(inst, phys, dev, queue, family);   // QVulkanWindow's handles
//   ctx.submit_and_wait([&](VkCommandBuffer cmd) { ... });
//
// Device choice: a discrete GPU when present, then an integrated one, then any (lavapipe). Debug builds
// enable VK_LAYER_KHRONOS_validation when it is installed. Not thread-safe: use from one thread.
// Throws RenderError("no Vulkan device ...") when there is no usable device.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <vulkan/vulkan.h>

namespace xwam::render {

struct ContextOptions {
#ifdef NDEBUG
  bool validation = false;
#else
  bool validation = true;
#endif
  // Enable 64-bit buffer atomics where the device has them (the compute point path needs them).
  bool compute_points = true;
};

class VulkanContext {
 public:
  explicit VulkanContext(const ContextOptions& options = {});
  // Wraps handles owned by someone else (e.g. QVulkanWindow); they are not destroyed by this object.
  // `compute_points`: the owner created `device` with shaderInt64, shaderBufferInt64Atomics and
  // VK_KHR_shader_atomic_int64 enabled (compute_points_features() says whether the device has them).
  static std::unique_ptr<VulkanContext> borrow(VkInstance instance, VkPhysicalDevice physical, VkDevice device,
                                               VkQueue queue, uint32_t queue_family, bool compute_points = false);
  ~VulkanContext();
  VulkanContext(const VulkanContext&) = delete;
  VulkanContext& operator=(const VulkanContext&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return physical_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  std::string device_name() const;
  bool is_software() const;  // a CPU implementation such as lavapipe
  // The device was created with 64-bit buffer atomics: SceneRenderer can rasterize points in compute shaders.
  bool supports_compute_points() const { return compute_points_; }
  // Whether `physical` offers them (shaderInt64, shaderBufferInt64Atomics, VK_KHR_shader_atomic_int64 on
  // Vulkan 1.1+), for owners that create the device themselves.
  static bool compute_points_features(VkInstance instance, VkPhysicalDevice physical);

  // Device memory for `requirements`: the first type with all `required` flags, preferring one that
  // also has `preferred`. The flags of the chosen type are returned in *flags.
  VkDeviceMemory allocate(const VkMemoryRequirements& requirements, VkMemoryPropertyFlags required,
                          VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags* flags);
  void free(VkDeviceMemory memory);
  size_t live_allocations() const { return live_allocations_; }
  size_t allocations_made() const { return allocations_made_; }  // every vkAllocateMemory so far

  // Records `record` into a one-time command buffer, submits it and waits for the queue.
  void submit_and_wait(const std::function<void(VkCommandBuffer)>& record);
  VkCommandPool command_pool() const { return pool_; }

 private:
  struct Borrowed {};
  explicit VulkanContext(Borrowed) {}
  void create_pool();

  bool owned_ = false;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  size_t live_allocations_ = 0, allocations_made_ = 0;
  bool compute_points_ = false;
};

}  // namespace xwam::render
