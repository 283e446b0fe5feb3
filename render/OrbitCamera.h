// The interactive camera: orbits a target point (z up), pans in the view plane, zooms by distance.
// Mouse deltas are in pixels; presets frame a bounding box from the front ("main"), top or side.
//
//   OrbitCamera cam;  cam.frame(bounds_min, bounds_max, OrbitCamera::Preset::Main);
//   cam.orbit(dx, dy);  cam.pan(dx, dy, viewport_height);  cam.zoom(wheel_steps);
//   ViewCamera v = cam.view(width, height);
#pragma once
#include "render/Camera.h"

namespace xwam::render {

class OrbitCamera {
 public:
  enum class Preset { Main, Top, Side };

  Vec3 target;
  float distance_m = 2.0f;
  float yaw_rad = -1.5708f;  // eye direction around z from +x; −90°: the eye sits on the −y side
  float pitch_rad = 0.5f;    // elevation of the eye above the target
  float vertical_fov_rad = 0.8f;  // across the shorter side of the viewport

  // Looks at `centre` from the preset's direction, far enough for the box [lo, hi] to fit.
  void frame(Vec3 lo, Vec3 hi, Vec3 centre, Preset preset);
  void orbit(float dx_px, float dy_px);
  void pan(float dx_px, float dy_px, int viewport_height_px);
  void zoom(float steps);  // > 0 moves closer

  Vec3 eye() const;
  ViewCamera view(int width, int height) const;
};

}  // namespace xwam::render
