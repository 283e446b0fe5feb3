// Projection matrices in the OpenCV pinhole convention.
#include "render/Camera.h"

#include <algorithm>

namespace xwam::render {

Mat4 ViewCamera::clip_from_world() const {
  // Vulkan's viewport puts pixel i's centre at i + 0.5, OpenCV at i: clip x = (2fx/W)·x + (2(cx + 0.5)/W − 1)·z,
  // w = z, so after the divide and the viewport transform pixel i = fx·x/z + cx is hit at its centre (same
  // for y); depth maps near → 0, far → 1.
  Mat4 p;
  p.at(0, 0) = 2.0f * fx / width;
  p.at(0, 2) = 2.0f * (cx + 0.5f) / width - 1.0f;
  p.at(1, 1) = 2.0f * fy / height;
  p.at(1, 2) = 2.0f * (cy + 0.5f) / height - 1.0f;
  p.at(2, 2) = far_m / (far_m - near_m);
  p.at(2, 3) = -far_m * near_m / (far_m - near_m);
  p.at(3, 2) = 1.0f;
  p.at(3, 3) = 0.0f;
  return p * world_to_camera;
}

ViewCamera camera_view(const PinholeIntrinsics& k, const Mat4& T_world_cam, int width, int height, float near_m,
                       float far_m) {
  const float scale = std::min(float(width) / k.width, float(height) / k.height);
  ViewCamera v;
  v.world_to_camera = rigid_inverse(T_world_cam);
  v.fx = k.fx * scale;
  v.fy = k.fy * scale;
  // Edges onto edges: the coordinate from the image's left edge (cx + 0.5) scales and shifts.
  v.cx = (k.cx + 0.5f) * scale + 0.5f * (width - k.width * scale) - 0.5f;
  v.cy = (k.cy + 0.5f) * scale + 0.5f * (height - k.height * scale) - 0.5f;
  v.width = width;
  v.height = height;
  v.near_m = near_m;
  v.far_m = far_m;
  return v;
}

}  // namespace xwam::render
