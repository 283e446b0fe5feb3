// Per-frame recording: viewports, push constants, and the order grid → points → frustums/trajectory → overlay.
#include "render/SceneRenderer.h"

#include <algorithm>
#include <cmath>

#include "render/Pipeline.h"
#include "render/PointRaster.h"
#include "render/RenderError.h"
#include "render/SequenceBuffer.h"
#include "render/VulkanContext.h"

namespace xwam::render {
namespace {

const uint8_t kPredictedTrajectory[4] = {255, 150, 40, 255};
const uint8_t kRecordedTrajectory[4] = {70, 200, 255, 255};
const float kPredictedTint[3] = {1.0f, 0.55f, 0.1f};
const float kRecordedTint[3] = {0.2f, 0.5f, 1.0f};
const float kTintWeight = 0.35f;

// Ground grid on the plane z = lo.z around the box, with a line every 10^k / 10 metres.
std::vector<LineVertex> grid_lines(Vec3 lo, Vec3 hi) {
  const float extent = std::max(hi.x - lo.x, hi.y - lo.y);
  const float step = std::pow(10.0f, std::floor(std::log10(std::max(extent, 1e-3f)))) / 10.0f * 2.0f;
  const float cx = 0.5f * (lo.x + hi.x), cy = 0.5f * (lo.y + hi.y);
  const int half = static_cast<int>(std::ceil(0.75f * extent / step));
  const float x0 = std::round(cx / step) * step, y0 = std::round(cy / step) * step;
  std::vector<LineVertex> v;
  for (int i = -half; i <= half; ++i) {
    const uint8_t alpha = i == 0 ? 120 : 60;
    const float x = x0 + i * step, y = y0 + i * step, r = half * step;
    v.push_back({{x, y0 - r, lo.z}, {200, 200, 210, alpha}});
    v.push_back({{x, y0 + r, lo.z}, {200, 200, 210, alpha}});
    v.push_back({{x0 - r, y, lo.z}, {200, 200, 210, alpha}});
    v.push_back({{x0 + r, y, lo.z}, {200, 200, 210, alpha}});
  }
  return v;
}

// Camera depths spanned by the corners of the box [lo, hi] grown by half about its centre (the depth
// colormap's range: the bulk of the scene plus its surroundings).
void depth_range(const ViewCamera& cam, Vec3 lo, Vec3 hi, float* zmin, float* zmax) {
  const Vec3 centre = (lo + hi) * 0.5f;
  lo = centre + (lo - centre) * 1.5f;
  hi = centre + (hi - centre) * 1.5f;
  float a = 1e30f, b = -1e30f;
  for (int i = 0; i < 8; ++i) {
    const Vec3 p{i & 1 ? hi.x : lo.x, i & 2 ? hi.y : lo.y, i & 4 ? hi.z : lo.z};
    const float z = cam.world_to_camera.transform_point(p).z;
    a = std::min(a, z);
    b = std::max(b, z);
  }
  *zmin = std::max(a, cam.near_m);
  *zmax = std::max(b, *zmin + 1e-3f);
}

// A cloud's tint (rgb, weight) from its viewport's tint colour (nullptr: untinted).
void viewport_tint(const float* tint, float out[4]) {
  for (int c = 0; c < 3; ++c) out[c] = tint ? tint[c] : 0.0f;
  out[3] = tint ? kTintWeight : 0.0f;
}

}  // namespace

struct SceneRenderer::Viewport {
  VkRect2D rect;
  const SequenceBuffer* clouds[2];
  const float* tints[2];
};

// One viewport, or two side by side (no heap allocation per frame).
struct SceneRenderer::Viewports {
  Viewport list[2];
  int count = 0;
  const Viewport* begin() const { return list; }
  const Viewport* end() const { return list + count; }
};

const char* point_path_name(PointPath path) { return path == PointPath::Compute ? "compute" : "hardware"; }

PointPath parse_point_path(const std::string& name) {
  for (PointPath p : {PointPath::Compute, PointPath::Hardware})
    if (name == point_path_name(p)) return p;
  throw RenderError("unknown point path '" + name + "' (compute or hardware)");
}

SceneRenderer::SceneRenderer(VulkanContext& ctx, VkRenderPass render_pass, VkSampleCountFlagBits samples,
                             uint32_t frames_in_flight, float ui_scale)
    : ctx_(ctx) {
  points_ = std::make_unique<Pipeline>(ctx, Pipeline::Kind::Points, render_pass, samples);
  lines_ = std::make_unique<Pipeline>(ctx, Pipeline::Kind::Lines, render_pass, samples);
  overlay_ = std::make_unique<Overlay>(ctx, render_pass, samples, frames_in_flight, ui_scale);
  if (ctx.supports_compute_points()) {
    raster_ = std::make_unique<PointRaster>(ctx, render_pass, samples);
    path_ = PointPath::Compute;
  }
  const auto frustum = SequenceBuffer::unit_frustum();
  unit_frustum_ = Buffer(ctx, frustum.size() * sizeof(LineVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, Buffer::Memory::DeviceLocal);
  unit_frustum_.upload(frustum.data(), frustum.size() * sizeof(LineVertex));
  LineInstance identity{{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, {1, 1, 1, 1}};
  identity_ = Buffer(ctx, sizeof identity, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, Buffer::Memory::DeviceLocal);
  identity_.upload(&identity, sizeof identity);
}

SceneRenderer::~SceneRenderer() { vkDeviceWaitIdle(ctx_.device()); }

void SceneRenderer::set_sequences(const PointSequence* predicted, const PointSequence* recorded) {
  vkDeviceWaitIdle(ctx_.device());
  // The compute path must not keep descriptors of the buffers about to be freed.
  if (raster_) raster_->set_clouds(nullptr, nullptr);
  picked_valid_ = false;
  predicted_.reset();
  recorded_.reset();
  if (predicted) predicted_ = std::make_unique<SequenceBuffer>(ctx_, *predicted, "predicted cloud", kPredictedTrajectory);
  if (recorded) recorded_ = std::make_unique<SequenceBuffer>(ctx_, *recorded, "recorded cloud", kRecordedTrajectory);
  if (raster_) raster_->set_clouds(predicted_.get(), recorded_.get());

  // Union of the clouds' bounds frames the camera and places the grid.
  bool any = false;
  auto grow = [&](Vec3& lo, Vec3& hi, Vec3 a, Vec3 b) {
    lo = any ? Vec3{std::min(lo.x, a.x), std::min(lo.y, a.y), std::min(lo.z, a.z)} : a;
    hi = any ? Vec3{std::max(hi.x, b.x), std::max(hi.y, b.y), std::max(hi.z, b.z)} : b;
  };
  for (const SequenceBuffer* s : {predicted_.get(), recorded_.get()}) {
    if (!s) continue;
    grow(lo_, hi_, s->bounds_lo(), s->bounds_hi());
    grow(core_lo_, core_hi_, s->core_lo(), s->core_hi());
    any = true;
  }
  // The preset cameras look at the median point (the bulk of the scene), not the box centre.
  const SequenceBuffer* main = recorded_ ? recorded_.get() : predicted_.get();
  centre_ = main ? main->median() : (core_lo_ + core_hi_) * 0.5f;
  const auto grid = grid_lines(lo_, hi_);
  grid_vertices_ = static_cast<uint32_t>(grid.size());
  grid_ = Buffer(ctx_, grid.size() * sizeof(LineVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, Buffer::Memory::DeviceLocal);
  grid_.upload(grid.data(), grid.size() * sizeof(LineVertex));
}

size_t SceneRenderer::frame_count() const {
  return std::max(predicted_ ? predicted_->frame_count() : 0, recorded_ ? recorded_->frame_count() : 0);
}

bool SceneRenderer::has_error() const {
  return (predicted_ && predicted_->has_error()) || (recorded_ && recorded_->has_error());
}

void SceneRenderer::frame_camera(ViewSettings& settings, OrbitCamera::Preset preset) const {
  settings.orbit.frame(core_lo_, core_hi_, centre_, preset);
  settings.scene_camera = -1;
}

float SceneRenderer::suggested_point_size_m() const {
  // A fused point stands for one source pixel: its footprint is depth / fx at the source camera,
  // averaged over the cameras at the distance of the scene's median point.
  const SequenceBuffer* s = recorded_ ? recorded_.get() : predicted_.get();
  if (!s || s->meta().camera_poses.empty() || s->meta().cameras.empty()) return 0.0f;
  const PointSequence& meta = s->meta();
  float footprint = 0, pixels = 0;
  for (size_t c = 0; c < meta.cameras.size(); ++c) {
    const Mat4& T = meta.camera_poses[0][c];
    footprint += length(centre_ - Vec3{T.at(0, 3), T.at(1, 3), T.at(2, 3)}) / meta.cameras[c].fx;
    pixels += float(meta.cameras[c].width) * meta.cameras[c].height;
  }
  footprint /= meta.cameras.size();
  // Fewer points than pixels (fusion stride, voxel filter, invalid depth) means wider spacing.
  const float points = float(std::max<size_t>(s->point_count(0), 1));
  return footprint * std::clamp(std::sqrt(pixels / points), 1.0f, 4.0f);
}

int SceneRenderer::find_camera(const std::string& name) const {
  // Camera views use the recorded sequence's cameras when there is one (see camera_for).
  const SequenceBuffer* owner = recorded_ ? recorded_.get() : predicted_.get();
  if (!owner) return -1;
  const auto& cams = owner->meta().cameras;
  for (size_t c = 0; c < cams.size(); ++c)
    if (cams[c].name == name) return static_cast<int>(c);
  return -1;
}

ViewCamera SceneRenderer::camera_for(const ViewSettings& s, int width, int height) const {
  if (s.scene_camera < 0) return s.orbit.view(width, height);
  // A recorded camera's own view at this frame (wrist cameras move with the arm).
  const SequenceBuffer* owner = recorded_ ? recorded_.get() : predicted_.get();
  if (!owner) return s.orbit.view(width, height);
  const PointSequence& meta = owner->meta();
  if (s.scene_camera >= static_cast<int>(meta.cameras.size()) || meta.camera_poses.empty())
    throw RenderError("camera " + std::to_string(s.scene_camera) + " is not in the sequence");
  const size_t f = std::min<size_t>(s.frame, meta.camera_poses.size() - 1);
  return camera_view(meta.cameras[s.scene_camera], meta.camera_poses[f][s.scene_camera], width, height);
}

void SceneRenderer::set_point_path(PointPath path) {
  if (path == PointPath::Compute && !raster_)
    throw RenderError("the compute point path needs 64-bit buffer atomics (shaderBufferInt64Atomics), which the "
                      "Vulkan device '" + ctx_.device_name() + "' does not offer (or was not created with)");
  path_ = path;
}

SceneRenderer::Viewports SceneRenderer::viewports(VkExtent2D extent, const ViewSettings& s) const {
  Viewports out;
  if (frame_count() == 0) return out;
  const SequenceBuffer* pred = s.show_predicted ? predicted_.get() : nullptr;
  const SequenceBuffer* rec = s.show_recorded ? recorded_.get() : nullptr;
  const bool both = pred && rec;
  if (both && s.layout == Layout::SideBySide) {
    const uint32_t half = extent.width / 2;
    out.list[0] = {{{0, 0}, {half, extent.height}}, {pred, nullptr}, {nullptr, nullptr}};
    out.list[1] = {{{int32_t(half), 0}, {extent.width - half, extent.height}}, {rec, nullptr}, {nullptr, nullptr}};
    out.count = 2;
  } else {
    const bool tint = both && s.tint_clouds;
    out.list[0] = {{{0, 0}, extent}, {pred, rec}, {tint ? kPredictedTint : nullptr, tint ? kRecordedTint : nullptr}};
    out.count = 1;
  }
  return out;
}

PushConstants SceneRenderer::push_for(const Viewport& vp, const ViewSettings& s) const {
  const ViewCamera cam = camera_for(s, int(vp.rect.extent.width), int(vp.rect.extent.height));
  PushConstants pc;
  pc.view_proj = cam.clip_from_world();
  for (int c = 0; c < 4; ++c) pc.depth_row[c] = cam.world_to_camera.at(2, c);
  pc.size[0] = s.point_size_px;
  pc.size[1] = s.point_size_m;
  pc.size[2] = cam.fy;
  pc.size[3] = static_cast<float>(s.color);
  // Colormap range: world height of the 1–99 % box, or the camera depths the corners of the core box
  // span (most points, so the depth scale is not spent on a few far walls).
  if (s.color == ColorMode::Height) {
    pc.range[0] = lo_.z;
    pc.range[1] = hi_.z;
  } else {
    depth_range(cam, core_lo_, core_hi_, &pc.range[0], &pc.range[1]);
  }
  pc.range[2] = s.error_max_m;
  return pc;
}

bool SceneRenderer::rasterize(VkCommandBuffer cmd, VkExtent2D extent, const ViewSettings& s, bool pick) {
  if (!raster_->begin(cmd, extent)) return false;
  for (const Viewport& vp : viewports(extent, s)) {
    const PushConstants pc = push_for(vp, s);
    for (int i = 0; i < 2; ++i) {
      const SequenceBuffer* cloud = vp.clouds[i];
      if (!cloud) continue;
      const bool recorded = cloud == recorded_.get();
      const size_t frame = std::min<size_t>(s.frame, cloud->frame_count() - 1);
      float tint[4];
      viewport_tint(vp.tints[i], tint);
      raster_->rasterize(cmd, pc, vp.rect, *cloud, frame, recorded, tint, pick);
    }
  }
  raster_->end(cmd);
  return true;
}

void SceneRenderer::prepare(VkCommandBuffer cmd, VkExtent2D extent, const ViewSettings& s) {
  prepared_cmd_ = VK_NULL_HANDLE;
  if (path_ != PointPath::Compute) return;
  const size_t frames = frame_count();
  if (frames > 0 && (s.frame < 0 || static_cast<size_t>(s.frame) >= frames)) return;  // record() reports it
  if (!rasterize(cmd, extent, s, false)) return;  // a target too large for the winners: hardware path
  prepared_cmd_ = cmd;
  prepared_extent_ = extent;
  last_settings_ = s;
}

std::optional<PickedPoint> SceneRenderer::pick(int x, int y) {
  if (!raster_ || !picked_valid_) return std::nullopt;
  // The last compute frame again, with point indices in place of colours.
  bool rasterized = false;
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) { rasterized = rasterize(cmd, prepared_extent_, last_settings_, true); });
  const std::optional<PixelWinner> w = rasterized ? raster_->winner_at(x, y) : std::nullopt;
  const SequenceBuffer* cloud = w ? (w->recorded ? recorded_.get() : predicted_.get()) : nullptr;
  if (!cloud) return std::nullopt;
  PickedPoint p;
  p.recorded = w->recorded;
  p.index = w->index - cloud->first_point(std::min<size_t>(last_settings_.frame, cloud->frame_count() - 1));
  p.depth = w->depth;
  return p;
}

void SceneRenderer::draw_viewport(VkCommandBuffer cmd, const Viewport& vp, const ViewSettings& s, bool compute) {
  VkViewport viewport{float(vp.rect.offset.x), float(vp.rect.offset.y), float(vp.rect.extent.width),
                      float(vp.rect.extent.height), 0.0f, 1.0f};
  vkCmdSetViewport(cmd, 0, 1, &viewport);
  vkCmdSetScissor(cmd, 0, 1, &vp.rect);
  PushConstants pc = push_for(vp, s);
  const VkShaderStageFlags stage = VK_SHADER_STAGE_VERTEX_BIT;

  if (s.show_grid && grid_vertices_ > 0) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, lines_->handle());
    vkCmdPushConstants(cmd, lines_->layout(), stage, 0, sizeof pc, &pc);
    const VkBuffer buffers[2] = {grid_.handle(), identity_.handle()};
    const VkDeviceSize offsets[2] = {0, 0};
    vkCmdBindVertexBuffers(cmd, 0, 2, buffers, offsets);
    vkCmdDraw(cmd, grid_vertices_, 1, 0, 0);
  }

  if (compute) {
    // The winners prepare() rasterized, under this viewport's scissor.
    raster_->resolve(cmd);
    for (const SequenceBuffer* cloud : vp.clouds)
      if (cloud) points_drawn_ += cloud->point_count(std::min<size_t>(s.frame, cloud->frame_count() - 1));
  } else {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, points_->handle());
    for (int i = 0; i < 2; ++i) {
      const SequenceBuffer* cloud = vp.clouds[i];
      if (!cloud) continue;
      const size_t frame = std::min<size_t>(s.frame, cloud->frame_count() - 1);
      viewport_tint(vp.tints[i], pc.tint);
      vkCmdPushConstants(cmd, points_->layout(), stage, 0, sizeof pc, &pc);
      cloud->draw_points(cmd, frame);
      points_drawn_ += cloud->point_count(frame);
    }
  }

  if (s.show_frustums || s.show_trajectory) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, lines_->handle());
    vkCmdPushConstants(cmd, lines_->layout(), stage, 0, sizeof pc, &pc);
    for (const SequenceBuffer* cloud : vp.clouds) {
      if (!cloud) continue;
      if (s.show_frustums) cloud->draw_frustums(cmd, std::min<size_t>(s.frame, cloud->frame_count() - 1), unit_frustum_);
      if (s.show_trajectory) cloud->draw_trajectory(cmd, identity_);
    }
  }
}

bool SceneRenderer::record(VkCommandBuffer cmd, VkExtent2D extent, ViewSettings& s, double frame_ms) {
  const size_t frames = frame_count();
  if (frames > 0 && (s.frame < 0 || static_cast<size_t>(s.frame) >= frames))
    throw RenderError("frame " + std::to_string(s.frame) + " is out of range (the sequence has " +
                      std::to_string(frames) + " frames)");
  points_drawn_ = 0;
  // The compute path when prepare() rasterized this very frame; otherwise the hardware path.
  const bool compute = prepared_cmd_ == cmd && prepared_extent_.width == extent.width &&
                       prepared_extent_.height == extent.height;
  prepared_cmd_ = VK_NULL_HANDLE;
  picked_valid_ = compute;
  for (const Viewport& vp : viewports(extent, s)) draw_viewport(cmd, vp, s, compute);
  if (!s.show_overlay) return false;

  OverlayInfo info;
  info.frame_count = static_cast<int>(frames);
  const SequenceBuffer* labelled = recorded_ ? recorded_.get() : predicted_.get();
  if (labelled && static_cast<size_t>(s.frame) < labelled->meta().frame_indices.size())
    info.episode_frame = labelled->meta().frame_indices[s.frame];
  info.points_drawn = points_drawn_;
  info.frame_ms = frame_ms;
  info.device = ctx_.device_name();
  info.two_clouds = predicted_ && recorded_;
  if (s.color == ColorMode::Height) {
    info.scale_lo = lo_.z;
    info.scale_hi = hi_.z;
  } else if (s.color == ColorMode::Depth) {
    const bool side = info.two_clouds && s.layout == Layout::SideBySide;
    depth_range(camera_for(s, int(side ? extent.width / 2 : extent.width), int(extent.height)), core_lo_, core_hi_,
                &info.scale_lo, &info.scale_hi);
  }
  return overlay_->record(cmd, extent, s, info, frame_ms > 0 ? frame_ms / 1000.0 : 1.0 / 60.0);
}

}  // namespace xwam::render
