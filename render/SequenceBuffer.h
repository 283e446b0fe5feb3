// A PointSequence on the device, uploaded once: the points of every frame in one vertex buffer (a
// frame is a range of it, so playback only changes the draw's first vertex), the camera frustums of
// every frame as line instances, and the trajectory as lines. Also its robust bounds for framing.
#pragma once
#include <vector>

#include "render/Buffer.h"
#include "render/Pipeline.h"
#include "render/SceneData.h"

namespace xwam::render {

class SequenceBuffer {
 public:
  // Validates (RenderError naming `what`), packs and uploads. `trajectory_rgba` colours its line.
  SequenceBuffer(VulkanContext& ctx, const PointSequence& sequence, const std::string& what,
                 const uint8_t trajectory_rgba[4]);

  size_t frame_count() const { return first_.size(); }
  size_t point_count(size_t frame) const { return count_[frame]; }
  size_t first_point(size_t frame) const { return first_[frame]; }  // index of its first point in points()
  size_t total_points() const { return total_points_; }
  // Points the buffer holds: frames start at multiples of kFrameAlignPoints (so a frame can be bound at
  // a storage-buffer offset: 64 points are 1280 bytes, a multiple of any minStorageBufferOffsetAlignment),
  // and the end is padded to one.
  static constexpr size_t kFrameAlignPoints = 64;
  size_t capacity_points() const { return capacity_points_; }
  bool has_error() const { return has_error_; }
  // 1st–99th percentile box of the points (outliers do not spoil the framing).
  Vec3 bounds_lo() const { return lo_; }
  Vec3 bounds_hi() const { return hi_; }
  // 20th–80th percentile box: where most points are (what the camera presets frame).
  Vec3 core_lo() const { return core_lo_; }
  Vec3 core_hi() const { return core_hi_; }
  Vec3 median() const { return median_; }
  // Everything of the sequence but the points (cameras, poses, frame indices, trajectory, source).
  const PointSequence& meta() const { return meta_; }

  // All frames' points (PointVertex), usable as vertex and storage buffer (the compute path reads it).
  const Buffer& points() const { return points_; }
  // With the points pipeline bound: draws frame `frame`'s points.
  void draw_points(VkCommandBuffer cmd, size_t frame) const;
  // With the lines pipeline bound: frustums of the cameras at `frame` (unit frustum geometry in
  // `unit_frustum`, kUnitFrustumVertices vertices), and the whole trajectory (binding 1 = `identity`).
  void draw_frustums(VkCommandBuffer cmd, size_t frame, const Buffer& unit_frustum) const;
  void draw_trajectory(VkCommandBuffer cmd, const Buffer& identity) const;

  // Interleaves one frame into the vertex layout (also the per-frame work of the re-upload baseline).
  static void pack(const PointFrame& frame, PointVertex* out);

  static constexpr uint32_t kUnitFrustumVertices = 16;
  // Apex at the origin, far rectangle over the unit image square at z = 1 (see frustum_instance).
  static std::vector<LineVertex> unit_frustum();

 private:
  PointSequence meta_;
  Buffer points_, frustums_, trajectory_;
  std::vector<uint32_t> first_, count_;
  size_t total_points_ = 0, capacity_points_ = 0;
  uint32_t cameras_ = 0, trajectory_vertices_ = 0;
  bool has_error_ = false;
  Vec3 lo_, hi_, core_lo_, core_hi_, median_;
};

}  // namespace xwam::render
