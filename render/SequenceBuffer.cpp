// Packing and the one-time upload of a sequence.
#include "render/SequenceBuffer.h"

#include <algorithm>
#include <cstring>

#include "engine/core/Colormap.h"
#include "render/RenderError.h"

namespace xwam::render {
namespace {

// Percentile boxes over a subsample of at most ~200k points of all frames: [p, 100 − p] per axis
// for p = 1 (`lo`, `hi`) and p = 20 (`core_lo`, `core_hi`, where most of the points are), and the
// per-axis median.
void robust_bounds(const PointSequence& s, size_t total, Vec3* lo, Vec3* hi, Vec3* core_lo, Vec3* core_hi,
                   Vec3* median) {
  std::vector<float> axis[3];
  const size_t step = std::max<size_t>(1, total / 200000);
  size_t k = 0;
  for (const auto& f : s.frames)
    for (size_t i = 0; i < f.size(); ++i, ++k)
      if (k % step == 0)
        for (int a = 0; a < 3; ++a) axis[a].push_back(f.xyz[3 * i + a]);
  if (axis[0].empty()) {
    *lo = *core_lo = {-0.5f, -0.5f, 0};
    *hi = *core_hi = {0.5f, 0.5f, 0.5f};
    *median = {0, 0, 0.25f};
    return;
  }
  auto percentile = [](std::vector<float>& v, size_t k) {
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[k];
  };
  float l[3], h[3], cl[3], ch[3], m[3];
  for (int a = 0; a < 3; ++a) {
    auto& v = axis[a];
    const size_t n = v.size();
    l[a] = percentile(v, n / 100);
    h[a] = percentile(v, n - 1 - n / 100);
    cl[a] = percentile(v, n / 5);
    ch[a] = percentile(v, n - 1 - n / 5);
    m[a] = percentile(v, n / 2);
  }
  *lo = {l[0], l[1], l[2]};
  *hi = {h[0], h[1], h[2]};
  *core_lo = {cl[0], cl[1], cl[2]};
  *core_hi = {ch[0], ch[1], ch[2]};
  *median = {m[0], m[1], m[2]};
}

// Model matrix mapping the unit frustum onto camera `k` posed at T, `depth_m` deep: unit (a, b, 1)
// → camera ((a·W − cx)/fx·d, (b·H − cy)/fy·d, d), i.e. the image corners at depth d.
LineInstance frustum_instance(const PinholeIntrinsics& k, const Mat4& T, float depth_m, Rgb color) {
  Mat4 a;
  a.at(0, 0) = k.width / k.fx * depth_m;
  a.at(0, 2) = -k.cx / k.fx * depth_m;
  a.at(1, 1) = k.height / k.fy * depth_m;
  a.at(1, 2) = -k.cy / k.fy * depth_m;
  a.at(2, 2) = depth_m;
  const Mat4 m = T * a;
  LineInstance inst;
  std::memcpy(inst.model, m.m, sizeof(inst.model));
  inst.color[0] = color.r;
  inst.color[1] = color.g;
  inst.color[2] = color.b;
  inst.color[3] = 1.0f;
  return inst;
}

}  // namespace

std::vector<LineVertex> SequenceBuffer::unit_frustum() {
  const float corners[4][3] = {{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}};
  std::vector<LineVertex> v;
  auto add = [&](const float* p) { v.push_back({{p[0], p[1], p[2]}, {255, 255, 255, 255}}); };
  const float apex[3] = {0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    add(apex);
    add(corners[i]);
    add(corners[i]);
    add(corners[(i + 1) % 4]);
  }
  return v;
}

void SequenceBuffer::pack(const PointFrame& f, PointVertex* out) {
  const size_t n = f.size();
  const bool has_view = !f.view.empty(), has_error = !f.error.empty();
  for (size_t i = 0; i < n; ++i) {
    PointVertex& v = out[i];
    std::memcpy(v.position, &f.xyz[3 * i], sizeof(v.position));
    v.rgb_view[0] = f.rgb[3 * i];
    v.rgb_view[1] = f.rgb[3 * i + 1];
    v.rgb_view[2] = f.rgb[3 * i + 2];
    v.rgb_view[3] = has_view ? f.view[i] : 0;
    v.error_m = has_error ? f.error[i] : -1.0f;
  }
}

SequenceBuffer::SequenceBuffer(VulkanContext& ctx, const PointSequence& s, const std::string& what,
                               const uint8_t trajectory_rgba[4])
{
  validate(s, what);
  meta_ = PointSequence{{}, s.frame_indices, s.cameras, s.camera_poses, s.trajectory, s.fps, s.source};
  if (s.frames.empty()) throw RenderError(what + " has no frames");
  auto align = [](size_t n) { return (n + kFrameAlignPoints - 1) / kFrameAlignPoints * kFrameAlignPoints; };
  for (const auto& f : s.frames) {
    first_.push_back(static_cast<uint32_t>(capacity_points_));
    count_.push_back(static_cast<uint32_t>(f.size()));
    total_points_ += f.size();
    capacity_points_ = align(capacity_points_ + f.size());
    has_error_ = has_error_ || !f.error.empty();
  }
  capacity_points_ = std::max(capacity_points_, kFrameAlignPoints);
  if (capacity_points_ >= (1ull << 32)) throw RenderError(what + " has more than 2^32 points");
  robust_bounds(s, total_points_, &lo_, &hi_, &core_lo_, &core_hi_, &median_);

  // Points: packed frame by frame into a host buffer, then one upload.
  std::vector<PointVertex> packed(capacity_points_);
  for (size_t f = 0; f < s.frames.size(); ++f) pack(s.frames[f], packed.data() + first_[f]);
  points_ = Buffer(ctx, packed.size() * sizeof(PointVertex),
                   VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, Buffer::Memory::DeviceLocal);
  points_.upload(packed.data(), packed.size() * sizeof(PointVertex));

  // Frustums: frames × cameras instances, a tenth of the main cloud's extent deep.
  cameras_ = static_cast<uint32_t>(s.camera_poses.empty() ? 0 : s.cameras.size());
  if (cameras_ > 0) {
    const float depth_m = 0.1f * length(core_hi_ - core_lo_);
    std::vector<LineInstance> instances;
    for (const auto& poses : s.camera_poses)
      for (uint32_t c = 0; c < cameras_; ++c) instances.push_back(frustum_instance(s.cameras[c], poses[c], depth_m, view_color(int(c))));
    frustums_ = Buffer(ctx, instances.size() * sizeof(LineInstance), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, Buffer::Memory::DeviceLocal);
    frustums_.upload(instances.data(), instances.size() * sizeof(LineInstance));
  }

  // Trajectory: consecutive positions as a line list.
  std::vector<LineVertex> lines;
  for (size_t i = 1; i < s.trajectory.size(); ++i)
    for (const Vec3& p : {s.trajectory[i - 1], s.trajectory[i]})
      lines.push_back({{p.x, p.y, p.z}, {trajectory_rgba[0], trajectory_rgba[1], trajectory_rgba[2], trajectory_rgba[3]}});
  trajectory_vertices_ = static_cast<uint32_t>(lines.size());
  if (!lines.empty()) {
    trajectory_ = Buffer(ctx, lines.size() * sizeof(LineVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, Buffer::Memory::DeviceLocal);
    trajectory_.upload(lines.data(), lines.size() * sizeof(LineVertex));
  }
}

void SequenceBuffer::draw_points(VkCommandBuffer cmd, size_t frame) const {
  if (count_[frame] == 0) return;
  const VkBuffer buffer = points_.handle();
  const VkDeviceSize offset = 0;
  vkCmdBindVertexBuffers(cmd, 0, 1, &buffer, &offset);
  vkCmdDraw(cmd, count_[frame], 1, first_[frame], 0);
}

void SequenceBuffer::draw_frustums(VkCommandBuffer cmd, size_t frame, const Buffer& unit_frustum) const {
  if (cameras_ == 0) return;
  const VkBuffer buffers[2] = {unit_frustum.handle(), frustums_.handle()};
  const VkDeviceSize offsets[2] = {0, 0};
  vkCmdBindVertexBuffers(cmd, 0, 2, buffers, offsets);
  vkCmdDraw(cmd, kUnitFrustumVertices, cameras_, 0, static_cast<uint32_t>(frame) * cameras_);
}

void SequenceBuffer::draw_trajectory(VkCommandBuffer cmd, const Buffer& identity) const {
  if (trajectory_vertices_ == 0) return;
  const VkBuffer buffers[2] = {trajectory_.handle(), identity.handle()};
  const VkDeviceSize offsets[2] = {0, 0};
  vkCmdBindVertexBuffers(cmd, 0, 2, buffers, offsets);
  vkCmdDraw(cmd, trajectory_vertices_, 1, 0, 0);
}

}  // namespace xwam::render
