// Cameras the renderer draws through. Everything uses the OpenCV convention of docs/geometry.md:
// camera x right, y down, z forward; a camera point (x, y, z) lands at (u, v) = (fx·x/z + cx, fy·y/z + cy)
// in the target and pixel (i, j) is centred on (i, j) (OpenCV), exactly like the fused cameras.
#pragma once
#include <string>

#include "render/Math.h"

namespace xwam::render {

// A posed pinhole camera for a target of width × height pixels.
struct ViewCamera {
  Mat4 world_to_camera;
  float fx = 1, fy = 1, cx = 0, cy = 0;
  int width = 1, height = 1;
  float near_m = 0.01f, far_m = 100.0f;

  // World → Vulkan clip space (y down, depth 0 at near_m, 1 at far_m) for this camera's target.
  Mat4 clip_from_world() const;
};

// Intrinsics of a recorded camera (the image it was calibrated for).
struct PinholeIntrinsics {
  std::string name;
  int width = 0, height = 0;
  float fx = 0, fy = 0, cx = 0, cy = 0;
};

// The view through a recorded camera posed at T_world_cam, fitted into a width × height target: scaled
// uniformly to fit and centred (letterboxed when the aspect ratios differ).
ViewCamera camera_view(const PinholeIntrinsics& intrinsics, const Mat4& T_world_cam, int width, int height,
                       float near_m = 0.02f, float far_m = 50.0f);

}  // namespace xwam::render
