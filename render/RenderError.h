// The renderer's one exception type: render/ has no engine dependency, so it reports failures (no
// Vulkan device, a failed Vulkan call, bad input such as a frame index out of range) with this class;
// front ends catch it once and show or rethrow the message.
#pragma once
#include <stdexcept>
#include <string>

#include <vulkan/vulkan.h>

namespace xwam::render {

class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws RenderError("<what> failed (VkResult N)") unless `result` is VK_SUCCESS.
inline void vk_check(VkResult result, const char* what) {
  if (result != VK_SUCCESS) throw RenderError(std::string(what) + " failed (VkResult " + std::to_string(result) + ")");
}

}  // namespace xwam::render
