// Orbit camera math: spherical eye position around the target, OpenCV-style view matrix.
#include "render/OrbitCamera.h"

#include <algorithm>
#include <cmath>

namespace xwam::render {
namespace {
// Keeps the eye off the poles, where "right" = forward × up degenerates.
constexpr float kMaxPitch = 1.55f;
}  // namespace

void OrbitCamera::frame(Vec3 lo, Vec3 hi, Vec3 centre, Preset preset) {
  target = centre;
  const float radius = std::max(0.5f * length(hi - lo), 1e-3f);
  switch (preset) {
    case Preset::Main: yaw_rad = -1.5708f; pitch_rad = 0.6f; break;
    case Preset::Top: yaw_rad = -1.5708f; pitch_rad = kMaxPitch; break;
    case Preset::Side: yaw_rad = 0.0f; pitch_rad = 0.25f; break;
  }
  // The bounding sphere fills the vertical field of view, with a margin for what lies around it.
  distance_m = 1.3f * radius / std::sin(0.5f * vertical_fov_rad);
}

void OrbitCamera::orbit(float dx_px, float dy_px) {
  yaw_rad -= 0.006f * dx_px;
  pitch_rad = std::clamp(pitch_rad + 0.006f * dy_px, -kMaxPitch, kMaxPitch);
}

void OrbitCamera::pan(float dx_px, float dy_px, int viewport_height_px) {
  const ViewCamera v = view(viewport_height_px, viewport_height_px);
  const float metres_per_px = distance_m / v.fy;
  const Vec3 right{v.world_to_camera.at(0, 0), v.world_to_camera.at(0, 1), v.world_to_camera.at(0, 2)};
  const Vec3 down{v.world_to_camera.at(1, 0), v.world_to_camera.at(1, 1), v.world_to_camera.at(1, 2)};
  // Dragging moves the scene with the mouse, so the target moves the other way.
  target = target - right * (dx_px * metres_per_px) - down * (dy_px * metres_per_px);
}

void OrbitCamera::zoom(float steps) { distance_m = std::clamp(distance_m * std::pow(0.88f, steps), 1e-3f, 1e4f); }

Vec3 OrbitCamera::eye() const {
  const Vec3 dir{std::cos(pitch_rad) * std::cos(yaw_rad), std::cos(pitch_rad) * std::sin(yaw_rad), std::sin(pitch_rad)};
  return target + dir * distance_m;
}

ViewCamera OrbitCamera::view(int width, int height) const {
  const Vec3 e = eye();
  const Vec3 forward = normalize(target - e);
  const Vec3 right = normalize(cross(forward, Vec3{0, 0, 1}));
  const Vec3 down = cross(forward, right);
  ViewCamera v;
  const Vec3 rows[3] = {right, down, forward};
  for (int r = 0; r < 3; ++r) {
    v.world_to_camera.at(r, 0) = rows[r].x;
    v.world_to_camera.at(r, 1) = rows[r].y;
    v.world_to_camera.at(r, 2) = rows[r].z;
    v.world_to_camera.at(r, 3) = -dot(rows[r], e);
  }
  v.width = width;
  v.height = height;
  // The field of view spans the shorter side, so narrow viewports (side by side) still fit the scene.
  v.fy = 0.5f * std::min(width, height) / std::tan(0.5f * vertical_fov_rad);
  v.fx = v.fy;
  v.cx = 0.5f * (width - 1);  // centred, pixel centres at integers
  v.cy = 0.5f * (height - 1);
  v.near_m = std::max(1e-3f, 0.01f * distance_m);
  v.far_m = 20.0f * distance_m + 10.0f;
  return v;
}

}  // namespace xwam::render
