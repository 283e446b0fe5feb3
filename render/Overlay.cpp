// The ImGui panel and legend, and the glue to imgui_impl_vulkan (imgui 1.86 API).
#include "render/Overlay.h"

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include <algorithm>
#include <cstdio>

#include "engine/core/Colormap.h"
#include "render/RenderError.h"
#include "render/VulkanContext.h"

namespace xwam::render {
namespace {

void check_imgui_vk(VkResult r) { vk_check(r, "imgui_impl_vulkan"); }

ImU32 to_u32(Rgb c) {
  return IM_COL32(int(c.r * 255 + 0.5f), int(c.g * 255 + 0.5f), int(c.b * 255 + 0.5f), 255);
}

// Makes `ctx` current for the lifetime of the guard (several overlays may exist).
struct CurrentContext {
  ImGuiContext* previous;
  explicit CurrentContext(ImGuiContext* ctx) : previous(ImGui::GetCurrentContext()) { ImGui::SetCurrentContext(ctx); }
  ~CurrentContext() { ImGui::SetCurrentContext(previous); }
};

}  // namespace

Overlay::Overlay(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples, uint32_t image_count,
                 float ui_scale)
    : ctx_(ctx), scale_(std::max(ui_scale, 0.5f)) {
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
  VkDescriptorPoolCreateInfo pool{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  pool.maxSets = 1;
  pool.poolSizeCount = 1;
  pool.pPoolSizes = &size;
  vk_check(vkCreateDescriptorPool(ctx.device(), &pool, nullptr, &pool_), "vkCreateDescriptorPool");

  imgui_ = ImGui::CreateContext();
  CurrentContext current(imgui_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini next to the user's files
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 4.0f;
  style.WindowBorderSize = 0.0f;
  style.Colors[ImGuiCol_WindowBg].w = 0.82f;
  style.ScaleAllSizes(scale_);
  ImFontConfig font;
  font.SizePixels = 13.0f * scale_;
  io.Fonts->AddFontDefault(&font);

  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = ctx.instance();
  info.PhysicalDevice = ctx.physical_device();
  info.Device = ctx.device();
  info.QueueFamily = ctx.queue_family();
  info.Queue = ctx.queue();
  info.DescriptorPool = pool_;
  info.MinImageCount = 2;
  info.ImageCount = std::max<uint32_t>(image_count, 2);
  info.MSAASamples = samples;
  info.CheckVkResultFn = check_imgui_vk;
  if (!ImGui_ImplVulkan_Init(&info, render_pass)) {
    ImGui::DestroyContext(imgui_);
    vkDestroyDescriptorPool(ctx.device(), pool_, nullptr);
    throw RenderError("ImGui_ImplVulkan_Init failed");
  }
  ctx.submit_and_wait([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); });
  ImGui_ImplVulkan_DestroyFontUploadObjects();
}

Overlay::~Overlay() {
  vkDeviceWaitIdle(ctx_.device());
  {
    CurrentContext current(imgui_);
    ImGui_ImplVulkan_Shutdown();
  }
  ImGui::DestroyContext(imgui_);
  vkDestroyDescriptorPool(ctx_.device(), pool_, nullptr);
}

Overlay::Rect Overlay::legend_bar(VkExtent2D extent) const {
  const float margin = 16.0f * scale_, width = 260.0f * scale_, height = 14.0f * scale_;
  const float y1 = extent.height - margin;
  return {margin, y1 - height, margin + width, y1};
}

bool Overlay::build(VkExtent2D extent, ViewSettings& s, const OverlayInfo& info) {
  bool changed = false;
  ImGui::SetNextWindowPos(ImVec2(10 * scale_, 10 * scale_), ImGuiCond_Always);
  ImGui::Begin("X-WAM view", nullptr,
               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
  if (info.episode_frame >= 0)
    ImGui::Text("frame %d of %d  (episode frame %d)", s.frame, info.frame_count, info.episode_frame);
  else
    ImGui::Text("frame %d of %d", s.frame, info.frame_count);
  ImGui::Text("%.2fM points   %.1f ms", info.points_drawn / 1e6, info.frame_ms);
  ImGui::TextDisabled("%s", info.device.c_str());
  ImGui::PushItemWidth(180 * scale_);
  if (info.frame_count > 1) changed |= ImGui::SliderInt("frame", &s.frame, 0, info.frame_count - 1);
  int mode = static_cast<int>(s.color);
  if (ImGui::Combo("colour", &mode, "rgb\0depth\0height\0error\0view\0")) {
    s.color = static_cast<ColorMode>(mode);
    changed = true;
  }
  if (s.point_size_m > 0)
    changed |= ImGui::SliderFloat("point size m", &s.point_size_m, 0.0005f, 0.05f, "%.4f", ImGuiSliderFlags_Logarithmic);
  else
    changed |= ImGui::SliderFloat("point size px", &s.point_size_px, 1.0f, 16.0f, "%.1f");
  if (s.color == ColorMode::Error) changed |= ImGui::SliderFloat("error max m", &s.error_max_m, 0.001f, 0.5f, "%.3f");
  ImGui::PopItemWidth();
  if (info.two_clouds) {
    bool side = s.layout == Layout::SideBySide;
    if (ImGui::Checkbox("side by side", &side)) {
      s.layout = side ? Layout::SideBySide : Layout::Overlay;
      changed = true;
    }
  }
  changed |= ImGui::Checkbox("frustums", &s.show_frustums);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("trajectory", &s.show_trajectory);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("grid", &s.show_grid);
  ImGui::End();

  // Side by side: name each half in its top-right corner (clear of the panel at the top left).
  if (info.two_clouds && s.layout == Layout::SideBySide) {
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const float half = 0.5f * extent.width, y = 12.0f * scale_;
    const char* names[2] = {"predicted", "recorded"};
    for (int i = 0; i < 2; ++i) {
      const ImVec2 size = ImGui::CalcTextSize(names[i]);
      const float x = half * (i + 1) - size.x - 16.0f * scale_;
      dl->AddRectFilled(ImVec2(x - 6 * scale_, y - 3 * scale_), ImVec2(x + size.x + 6 * scale_, y + size.y + 3 * scale_),
                        IM_COL32(20, 22, 26, 210), 4.0f);
      dl->AddText(ImVec2(x, y), IM_COL32(235, 235, 235, 255), names[i]);
    }
  }

  // Legend of the colour scale (bottom left), on a dark plate so it reads on any background.
  if (s.color == ColorMode::Depth || s.color == ColorMode::Height || s.color == ColorMode::Error) {
    const Rect bar = legend_bar(extent);
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const float pad = 6.0f * scale_, text_h = ImGui::GetFontSize();
    dl->AddRectFilled(ImVec2(bar.x0 - pad, bar.y0 - text_h - 2 * pad), ImVec2(bar.x1 + pad, bar.y1 + pad),
                      IM_COL32(20, 22, 26, 210), 4.0f);
    const int segments = 64;
    for (int i = 0; i < segments; ++i) {
      const float t0 = float(i) / segments, t1 = float(i + 1) / segments;
      const Rgb c0 = s.color == ColorMode::Error ? error_heat(t0) : turbo(t0);
      const Rgb c1 = s.color == ColorMode::Error ? error_heat(t1) : turbo(t1);
      const float x0 = bar.x0 + (bar.x1 - bar.x0) * t0, x1 = bar.x0 + (bar.x1 - bar.x0) * t1;
      dl->AddRectFilledMultiColor(ImVec2(x0, bar.y0), ImVec2(x1, bar.y1), to_u32(c0), to_u32(c1), to_u32(c1), to_u32(c0));
    }
    char lo[48], hi[48], title[48];
    if (s.color == ColorMode::Error) {
      std::snprintf(title, sizeof title, "error to recorded");
      std::snprintf(lo, sizeof lo, "0 cm");
      std::snprintf(hi, sizeof hi, ">= %.1f cm", s.error_max_m * 100);
    } else {
      std::snprintf(title, sizeof title, s.color == ColorMode::Depth ? "depth" : "height");
      std::snprintf(lo, sizeof lo, "%.2f m", info.scale_lo);
      std::snprintf(hi, sizeof hi, "%.2f m", info.scale_hi);
    }
    const float text_y = bar.y0 - text_h - pad * 0.5f;
    const ImU32 white = IM_COL32(235, 235, 235, 255);
    dl->AddText(ImVec2(bar.x0, text_y), white, lo);
    const float title_w = ImGui::CalcTextSize(title).x, hi_w = ImGui::CalcTextSize(hi).x;
    dl->AddText(ImVec2(0.5f * (bar.x0 + bar.x1 - title_w), text_y), white, title);
    dl->AddText(ImVec2(bar.x1 - hi_w, text_y), white, hi);
  }
  return changed;
}

bool Overlay::record(VkCommandBuffer cmd, VkExtent2D extent, ViewSettings& settings, const OverlayInfo& info,
                     double dt_s) {
  CurrentContext current(imgui_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(extent.width), float(extent.height));
  io.DeltaTime = static_cast<float>(std::max(dt_s, 1e-4));
  ImGui_ImplVulkan_NewFrame();
  // Auto-sized windows are measured, not drawn, on their first frame: run that frame unseen, so a
  // single offscreen render (screenshot, test) already shows the panel.
  if (first_frame_) {
    ImGui::NewFrame();
    build(extent, settings, info);
    ImGui::EndFrame();
    first_frame_ = false;
  }
  ImGui::NewFrame();
  const bool changed = build(extent, settings, info);
  ImGui::Render();
  ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
  return changed;
}

}  // namespace xwam::render
