// Instance/device selection and teardown, the counting allocator and one-shot submissions.
#include "render/VulkanContext.h"

#include <cstring>
#include <vector>

#include "render/RenderError.h"

namespace xwam::render {
namespace {

bool has_layer(const char* name) {
  uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  for (const auto& l : layers)
    if (std::strcmp(l.layerName, name) == 0) return true;
  return false;
}

int graphics_family(VkPhysicalDevice device) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, families.data());
  for (uint32_t i = 0; i < count; ++i)
    if (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) return static_cast<int>(i);
  return -1;
}

// Higher is better: discrete > integrated > virtual > CPU (lavapipe) > other.
int device_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

const char* kAtomicInt64 = "VK_KHR_shader_atomic_int64";

bool has_device_extension(VkPhysicalDevice device, const char* name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
  for (const auto& e : extensions)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

// Vulkan 1.1 when the loader has it (vkGetPhysicalDeviceFeatures2 is core there), else 1.0.
uint32_t instance_api_version() {
  auto enumerate = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(vkGetInstanceProcAddr(nullptr, "vkEnumerateInstanceVersion"));
  uint32_t version = VK_API_VERSION_1_0;
  if (enumerate && enumerate(&version) == VK_SUCCESS && version >= VK_API_VERSION_1_1) return VK_API_VERSION_1_1;
  return VK_API_VERSION_1_0;
}

const char* kNoDevice =
    "no Vulkan device found: install a Vulkan driver (e.g. mesa-vulkan-drivers for the lavapipe CPU device) "
    "or check VK_ICD_FILENAMES";

}  // namespace

VulkanContext::VulkanContext(const ContextOptions& options) : owned_(true) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "xwam";
  app.pEngineName = "xwam-render";
  app.apiVersion = instance_api_version();
  std::vector<const char*> layers;
  if (options.validation && has_layer("VK_LAYER_KHRONOS_validation")) layers.push_back("VK_LAYER_KHRONOS_validation");
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  // No driver at all makes the loader fail here (VK_ERROR_INCOMPATIBLE_DRIVER): same message as no device.
  const VkResult created = vkCreateInstance(&info, nullptr, &instance_);
  if (created != VK_SUCCESS) {
    instance_ = VK_NULL_HANDLE;
    throw RenderError(std::string(kNoDevice) + " (vkCreateInstance: VkResult " + std::to_string(created) + ")");
  }

  try {
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance_, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance_, &count, devices.data());
    int best_rank = -1;
    for (VkPhysicalDevice d : devices) {
      VkPhysicalDeviceProperties props;
      vkGetPhysicalDeviceProperties(d, &props);
      const int family = graphics_family(d);
      if (family >= 0 && device_rank(props.deviceType) > best_rank) {
        best_rank = device_rank(props.deviceType);
        physical_ = d;
        queue_family_ = static_cast<uint32_t>(family);
      }
    }
    if (physical_ == VK_NULL_HANDLE) throw RenderError(kNoDevice);

    // Point sizes above one pixel need largePoints; without it splats fall back to single pixels.
    VkPhysicalDeviceFeatures available;
    vkGetPhysicalDeviceFeatures(physical_, &available);
    VkPhysicalDeviceFeatures enabled{};
    enabled.largePoints = available.largePoints;
    // The compute point path: 64-bit atomicMin on storage buffers.
    VkPhysicalDeviceShaderAtomicInt64Features atomics{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_INT64_FEATURES};
    std::vector<const char*> extensions;
    compute_points_ = options.compute_points && app.apiVersion >= VK_API_VERSION_1_1 &&
                      compute_points_features(instance_, physical_);
    if (compute_points_) {
      enabled.shaderInt64 = VK_TRUE;
      atomics.shaderBufferInt64Atomics = VK_TRUE;
      extensions.push_back(kAtomicInt64);
    }
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queue_info.queueFamilyIndex = queue_family_;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    device_info.queueCreateInfoCount = 1;
    device_info.pQueueCreateInfos = &queue_info;
    device_info.pEnabledFeatures = &enabled;
    device_info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    device_info.ppEnabledExtensionNames = extensions.data();
    if (compute_points_) device_info.pNext = &atomics;
    vk_check(vkCreateDevice(physical_, &device_info, nullptr, &device_), "vkCreateDevice");
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);
    create_pool();
  } catch (...) {
    if (device_) vkDestroyDevice(device_, nullptr);
    vkDestroyInstance(instance_, nullptr);
    throw;
  }
}

std::unique_ptr<VulkanContext> VulkanContext::borrow(VkInstance instance, VkPhysicalDevice physical, VkDevice device,
                                                     VkQueue queue, uint32_t queue_family, bool compute_points) {
  std::unique_ptr<VulkanContext> ctx(new VulkanContext(Borrowed{}));
  ctx->instance_ = instance;
  ctx->physical_ = physical;
  ctx->device_ = device;
  ctx->queue_ = queue;
  ctx->queue_family_ = queue_family;
  ctx->compute_points_ = compute_points;
  ctx->create_pool();
  return ctx;
}

void VulkanContext::create_pool() {
  VkCommandPoolCreateInfo info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  info.queueFamilyIndex = queue_family_;
  vk_check(vkCreateCommandPool(device_, &info, nullptr, &pool_), "vkCreateCommandPool");
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  vk_check(vkCreateFence(device_, &fence_info, nullptr, &fence_), "vkCreateFence");
}

VulkanContext::~VulkanContext() {
  if (device_) {
    vkDeviceWaitIdle(device_);
    vkDestroyFence(device_, fence_, nullptr);
    vkDestroyCommandPool(device_, pool_, nullptr);
  }
  if (owned_) {
    vkDestroyDevice(device_, nullptr);
    vkDestroyInstance(instance_, nullptr);
  }
}

std::string VulkanContext::device_name() const {
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical_, &props);
  return props.deviceName;
}

bool VulkanContext::compute_points_features(VkInstance instance, VkPhysicalDevice physical) {
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical, &props);
  if (props.apiVersion < VK_API_VERSION_1_1 || !has_device_extension(physical, kAtomicInt64)) return false;
  // Through the instance: the loader's vkGetPhysicalDeviceFeatures2 needs a 1.1 instance.
  auto features2 = reinterpret_cast<PFN_vkGetPhysicalDeviceFeatures2>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceFeatures2"));
  if (!features2) return false;
  VkPhysicalDeviceShaderAtomicInt64Features atomics{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_INT64_FEATURES};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &atomics;
  features2(physical, &features);
  return features.features.shaderInt64 && atomics.shaderBufferInt64Atomics;
}

bool VulkanContext::is_software() const {
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical_, &props);
  return props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

VkDeviceMemory VulkanContext::allocate(const VkMemoryRequirements& requirements, VkMemoryPropertyFlags required,
                                       VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags* flags) {
  VkPhysicalDeviceMemoryProperties props;
  vkGetPhysicalDeviceMemoryProperties(physical_, &props);
  int chosen = -1;
  for (int pass = 0; pass < 2 && chosen < 0; ++pass) {
    const VkMemoryPropertyFlags want = pass == 0 ? (required | preferred) : required;
    for (uint32_t i = 0; i < props.memoryTypeCount; ++i)
      if ((requirements.memoryTypeBits & (1u << i)) && (props.memoryTypes[i].propertyFlags & want) == want) {
        chosen = static_cast<int>(i);
        break;
      }
  }
  if (chosen < 0) throw RenderError("no Vulkan memory type fits the request (flags " + std::to_string(required) + ")");
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.allocationSize = requirements.size;
  info.memoryTypeIndex = static_cast<uint32_t>(chosen);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  const VkResult r = vkAllocateMemory(device_, &info, nullptr, &memory);
  if (r != VK_SUCCESS)
    throw RenderError("out of Vulkan memory allocating " + std::to_string(requirements.size >> 20) + " MiB (VkResult " +
                      std::to_string(r) + ")");
  ++live_allocations_;
  ++allocations_made_;
  if (flags) *flags = props.memoryTypes[chosen].propertyFlags;
  return memory;
}

void VulkanContext::free(VkDeviceMemory memory) {
  if (!memory) return;
  vkFreeMemory(device_, memory, nullptr);
  --live_allocations_;
}

void VulkanContext::submit_and_wait(const std::function<void(VkCommandBuffer)>& record) {
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  vk_check(vkAllocateCommandBuffers(device_, &alloc, &cmd), "vkAllocateCommandBuffers");
  struct Release {
    VkDevice device;
    VkCommandPool pool;
    VkCommandBuffer cmd;
    ~Release() { vkFreeCommandBuffers(device, pool, 1, &cmd); }
  } release{device_, pool_, cmd};
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vk_check(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  record(cmd);
  vk_check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  vk_check(vkResetFences(device_, 1, &fence_), "vkResetFences");
  vk_check(vkQueueSubmit(queue_, 1, &submit, fence_), "vkQueueSubmit");
  vk_check(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

}  // namespace xwam::render
