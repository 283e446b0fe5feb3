// Draws the 4D scene (predicted and recorded point clouds, ground grid, camera frustums, trajectory,
// ImGui overlay) into a render pass someone else owns: an OffscreenTarget, or QVulkanWindow's default
// render pass and command buffer. The caller begins the pass (clear colour and depth), calls record(),
// ends the pass and submits.
//
//   SceneRenderer scene(ctx, target.render_pass());
//   scene.set_sequences(&predicted, &recorded);           // uploads once
//   scene.frame_camera(settings, OrbitCamera::Preset::Main);
//   target.begin(cmd, settings.background);  scene.record(cmd, target.extent(), settings);  vkCmdEndRenderPass(cmd);
//
// Points take one of two paths (point_path()): the hardware path draws them as point primitives; the
// compute path (the default where VulkanContext::supports_compute_points()) rasterizes them in a compute
// shader (render/PointRaster.h), which must be recorded before the render pass begins:
//
//   scene.prepare(cmd, extent, settings);   // outside the pass; a no-op on the hardware path
//   target.begin(cmd, ...);  scene.record(cmd, extent, settings);  vkCmdEndRenderPass(cmd);
//
// A record() without its prepare() (same command buffer, extent and settings) draws the hardware path.
//
// Errors: RenderError (bad sequences, frame index out of range). One thread; `frames_in_flight` is how
// many recorded frames may still be executing (QVulkanWindow: its concurrent frame count).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <vulkan/vulkan.h>

#include "render/Buffer.h"
#include "render/Overlay.h"
#include "render/PushConstants.h"
#include "render/SceneData.h"
#include "render/ViewSettings.h"

namespace xwam::render {

class Pipeline;
class PointRaster;
class SequenceBuffer;
class VulkanContext;

enum class PointPath { Hardware, Compute };
const char* point_path_name(PointPath path);  // "hardware", "compute"
// Throws RenderError listing the accepted names.
PointPath parse_point_path(const std::string& name);

// The point drawn at a pixel (compute path): which cloud, and its index in that cloud's frame.
struct PickedPoint {
  bool recorded = false;
  size_t index = 0;
  float depth = 0;  // depth-buffer value, 0 at near, 1 at far
};

class SceneRenderer {
 public:
  SceneRenderer(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT,
                uint32_t frames_in_flight = 3, float ui_scale = 1.0f);
  ~SceneRenderer();

  // Uploads the sequences once (either may be nullptr). Waits for the device first, since frames in
  // flight may still read the previous buffers. The sequences need not outlive this call.
  void set_sequences(const PointSequence* predicted, const PointSequence* recorded);
  size_t frame_count() const;  // frames of the longer sequence, 0 without any
  bool has_error() const;      // some frame carries per-point error
  // Points the orbit camera from `preset` at the clouds' bounds (and clears settings.scene_camera).
  void frame_camera(ViewSettings& settings, OrbitCamera::Preset preset) const;
  // World splat size that makes neighbouring fused points touch (the footprint of one source pixel at
  // the cameras' distance to the scene, widened when the cloud has fewer points than the images have
  // pixels), or 0 when the sequences have no cameras.
  float suggested_point_size_m() const;
  // Index of the camera named `name` among the recorded sequence's cameras (the predicted one's when
  // there is no recorded sequence), for ViewSettings::scene_camera; -1 when there is none.
  int find_camera(const std::string& name) const;

  // Compute path where the device has it, else the hardware path.
  PointPath point_path() const { return path_; }
  bool supports_compute_points() const { return raster_ != nullptr; }
  // Throws RenderError when `path` is Compute and the device cannot run it.
  void set_point_path(PointPath path);

  // Outside a render pass, before record() of the same frame: the compute path's rasterization.
  void prepare(VkCommandBuffer cmd, VkExtent2D extent, const ViewSettings& settings);
  // Records the draws into the begun render pass covering `extent`. The overlay's widgets may edit
  // `settings`; returns true when they did. `frame_ms` is shown in the overlay.
  bool record(VkCommandBuffer cmd, VkExtent2D extent, ViewSettings& settings, double frame_ms = 0);
  size_t points_drawn() const { return points_drawn_; }
  // After a compute-path frame has completed: the point drawn at pixel (x, y), none for the background,
  // outside the target or after a hardware-path frame. Rasterizes that frame again with point indices
  // (the compute path's winners) and waits for the device.
  std::optional<PickedPoint> pick(int x, int y);
  Overlay& overlay() { return *overlay_; }

 private:
  struct Viewport;
  ViewCamera camera_for(const ViewSettings& s, int width, int height) const;
  struct Viewports;
  Viewports viewports(VkExtent2D extent, const ViewSettings& s) const;
  PushConstants push_for(const Viewport& vp, const ViewSettings& s) const;
  // The compute raster of a frame (colours, or point indices with `pick`); false when the target is too large.
  bool rasterize(VkCommandBuffer cmd, VkExtent2D extent, const ViewSettings& s, bool pick);
  void draw_viewport(VkCommandBuffer cmd, const Viewport& vp, const ViewSettings& s, bool compute);

  VulkanContext& ctx_;
  std::unique_ptr<Pipeline> points_, lines_;
  std::unique_ptr<Overlay> overlay_;
  std::unique_ptr<PointRaster> raster_;  // only where the device has 64-bit buffer atomics
  PointPath path_ = PointPath::Hardware;
  // prepare() recorded the compute raster for this command buffer and extent; record() consumes it.
  VkCommandBuffer prepared_cmd_ = VK_NULL_HANDLE;
  VkExtent2D prepared_extent_{0, 0};
  ViewSettings last_settings_;  // of the last prepared frame, which pick() rasterizes again
  bool picked_valid_ = false;   // the last recorded frame took the compute path
  std::unique_ptr<SequenceBuffer> predicted_, recorded_;
  Buffer unit_frustum_, identity_, grid_;
  uint32_t grid_vertices_ = 0;
  Vec3 lo_{-0.5f, -0.5f, 0}, hi_{0.5f, 0.5f, 0.5f};  // 1st–99th percentile box of all clouds
  Vec3 core_lo_ = lo_, core_hi_ = hi_;                // 20th–80th percentile box
  Vec3 centre_{0, 0, 0.25f};                           // median point: what the presets look at
  size_t points_drawn_ = 0;
};

}  // namespace xwam::render
