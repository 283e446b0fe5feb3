// The Dear ImGui overlay drawn inside the renderer's render pass through imgui's Vulkan backend: frame
// stats, the controls of ViewSettings (frame, colour mode, point size, layout, what to show) and the
// legend of the colour scale. Each Overlay owns its own ImGui context, so several renderers can live
// in one process. Input comes from the host (see widgets/ImGuiQtInput.h); offscreen it has none.
#pragma once
#include <string>

#include <vulkan/vulkan.h>

#include "render/ViewSettings.h"

struct ImGuiContext;

namespace xwam::render {

class VulkanContext;

// Read-only numbers the panel shows.
struct OverlayInfo {
  int frame_count = 0;
  int episode_frame = -1;   // label of the current frame, -1 when unknown
  size_t points_drawn = 0;
  double frame_ms = 0;
  std::string device;
  bool two_clouds = false;
  float scale_lo = 0, scale_hi = 1;  // colormap range for depth / height legends (m)
};

class Overlay {
 public:
  // `image_count`: frames that may be in flight at once (imgui keeps one vertex buffer per frame).
  Overlay(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples, uint32_t image_count,
          float ui_scale);
  ~Overlay();
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  // Builds this frame's panel and legend, then records their draws into `cmd` (inside the render pass,
  // last). The panel's widgets edit `settings`; returns true when one changed it.
  bool record(VkCommandBuffer cmd, VkExtent2D extent, ViewSettings& settings, const OverlayInfo& info,
              double dt_s);
  ImGuiContext* imgui_context() const { return imgui_; }

  // Where the colour bar of the legend lies in a target of `extent` (pixels; for tests).
  struct Rect {
    float x0, y0, x1, y1;
  };
  Rect legend_bar(VkExtent2D extent) const;

 private:
  bool build(VkExtent2D extent, ViewSettings& settings, const OverlayInfo& info);

  VulkanContext& ctx_;
  ImGuiContext* imgui_ = nullptr;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  float scale_;
  bool first_frame_ = true;
};

}  // namespace xwam::render
