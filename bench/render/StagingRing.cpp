// The staging ring: persistent mapped buffers, recycled command buffers, one fence per slot.
#include "bench/render/StagingRing.h"

#include <limits>

#include "render/RenderError.h"
#include "render/VulkanContext.h"

namespace xwam::bench {

using render::vk_check;

StagingRing::StagingRing(render::VulkanContext& ctx, VkDeviceSize slot_bytes, int slots) : ctx_(ctx) {
  if (slots < 1) throw render::RenderError("StagingRing needs at least one slot");
  slots_.resize(static_cast<size_t>(slots));
  for (Slot& slot : slots_) {
    slot.staging = render::Buffer(ctx, slot_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, render::Buffer::Memory::HostVisible);
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = ctx.command_pool();
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    vk_check(vkAllocateCommandBuffers(ctx.device(), &alloc, &slot.cmd), "vkAllocateCommandBuffers");
    // Signalled from the start: the first acquire of a slot does not wait.
    VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    fence.flags = VK_FENCE_CREATE_SIGNALED_BIT;
    vk_check(vkCreateFence(ctx.device(), &fence, nullptr, &slot.fence), "vkCreateFence");
  }
}

StagingRing::~StagingRing() {
  for (Slot& slot : slots_) {
    if (slot.fence) {
      vkWaitForFences(ctx_.device(), 1, &slot.fence, VK_TRUE, std::numeric_limits<uint64_t>::max());
      vkDestroyFence(ctx_.device(), slot.fence, nullptr);
    }
    if (slot.cmd) vkFreeCommandBuffers(ctx_.device(), ctx_.command_pool(), 1, &slot.cmd);
  }
}

void* StagingRing::acquire() {
  current_ = next_;
  next_ = (next_ + 1) % slots_.size();
  Slot& slot = slots_[current_];
  vk_check(vkWaitForFences(ctx_.device(), 1, &slot.fence, VK_TRUE, std::numeric_limits<uint64_t>::max()),
           "vkWaitForFences");
  return slot.staging.mapped();
}

void StagingRing::submit_copy(VkBuffer dst, VkDeviceSize bytes) {
  Slot& slot = slots_[current_];
  if (bytes > slot.staging.size()) throw render::RenderError("StagingRing::submit_copy past the end of the slot");
  slot.staging.flush();
  vk_check(vkResetFences(ctx_.device(), 1, &slot.fence), "vkResetFences");
  vk_check(vkResetCommandBuffer(slot.cmd, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vk_check(vkBeginCommandBuffer(slot.cmd, &begin), "vkBeginCommandBuffer");
  const VkBufferCopy copy{0, 0, bytes};
  vkCmdCopyBuffer(slot.cmd, slot.staging.handle(), dst, 1, &copy);
  // What a viewer needs before drawing from the buffer: the copy done before vertex input reads it.
  VkBufferMemoryBarrier barrier{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_VERTEX_ATTRIBUTE_READ_BIT;
  barrier.srcQueueFamilyIndex = barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.buffer = dst;
  barrier.offset = 0;
  barrier.size = bytes;
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, 0, 0, nullptr, 1,
                       &barrier, 0, nullptr);
  vk_check(vkEndCommandBuffer(slot.cmd), "vkEndCommandBuffer");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &slot.cmd;
  vk_check(vkQueueSubmit(ctx_.queue(), 1, &submit, slot.fence), "vkQueueSubmit");
}

void StagingRing::wait_all() {
  for (Slot& slot : slots_)
    vk_check(vkWaitForFences(ctx_.device(), 1, &slot.fence, VK_TRUE, std::numeric_limits<uint64_t>::max()),
             "vkWaitForFences");
}

}  // namespace xwam::bench
