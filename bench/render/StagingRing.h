// A persistent ring of host-visible staging buffers, each with its own command buffer and fence: how a
// viewer uploads a frame's points on a discrete GPU without allocating or waiting per frame (the
// render benchmark's baseline). A slot is reused only once its previous copy has finished.
//
//   StagingRing ring(ctx, bytes_per_frame, 2);
//   void* dst = ring.acquire();                      // waits only for this slot's copy of 2 frames ago
//   pack(frame, dst);
//   ring.submit_copy(device_buffer.handle(), bytes);  // queued; returns without waiting
//
// Not thread-safe: use from the thread that owns the context.
#pragma once
#include <vector>

#include "render/Buffer.h"

namespace xwam::render {
class VulkanContext;
}

namespace xwam::bench {

class StagingRing {
 public:
  StagingRing(render::VulkanContext& ctx, VkDeviceSize slot_bytes, int slots);
  ~StagingRing();
  StagingRing(const StagingRing&) = delete;
  StagingRing& operator=(const StagingRing&) = delete;

  // The next slot's mapped memory (slot_bytes), once that slot's previous copy has finished.
  void* acquire();
  // Copies the first `bytes` of the acquired slot into `dst` (a transfer destination) and makes them
  // visible to vertex input; submitted with the slot's fence, not waited for.
  void submit_copy(VkBuffer dst, VkDeviceSize bytes);
  // Waits for every slot's copy.
  void wait_all();

 private:
  struct Slot {
    render::Buffer staging;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
  };
  render::VulkanContext& ctx_;
  std::vector<Slot> slots_;
  size_t next_ = 0;     // the slot acquire() hands out next
  size_t current_ = 0;  // the slot acquire() handed out last
};

}  // namespace xwam::bench
