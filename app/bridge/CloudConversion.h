// engine/geometry's CloudSequence → render/'s plain PointSequence (render/ never sees engine types).
// Header-only, shared by `xwam render` and the studio: `auto seq = xwam::bridge::to_point_sequence(clouds);`
#pragma once
#include "engine/geometry/CloudSequence.h"
#include "render/SceneData.h"

namespace xwam::bridge {

inline render::Mat4 to_mat4(const Eigen::Matrix4d& m) {
  render::Mat4 r;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) r.at(i, j) = static_cast<float>(m(i, j));
  return r;
}

inline render::PointSequence to_point_sequence(const geometry::CloudSequence& in) {
  render::PointSequence out;
  out.frames.reserve(in.frames.size());
  for (const auto& f : in.frames) out.frames.push_back({f.xyz, f.rgb, f.view, f.error});
  out.frame_indices = in.frame_indices;
  for (const auto& c : in.cameras)
    out.cameras.push_back({c.name, c.width, c.height, float(c.fx), float(c.fy), float(c.cx), float(c.cy)});
  for (const auto& poses : in.camera_poses) {
    out.camera_poses.emplace_back();
    for (const auto& T : poses) out.camera_poses.back().push_back(to_mat4(T));
  }
  for (const auto& p : in.trajectory) out.trajectory.push_back({float(p.x()), float(p.y()), float(p.z())});
  out.fps = in.fps;
  out.source = in.source;
  return out;
}

}  // namespace xwam::bridge
