// Plain data the renderer draws (no engine types): an animated point cloud with the cameras and the
// end-effector trajectory that produced it. Front ends convert their own types into these.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "render/Camera.h"
#include "render/Math.h"

namespace xwam::render {

// One frame of N points; parallel, point-major arrays.
struct PointFrame {
  std::vector<float> xyz;    // N·3, world frame, metres (z up)
  std::vector<uint8_t> rgb;  // N·3
  std::vector<uint8_t> view; // N (source camera index) or empty
  std::vector<float> error;  // N metres (e.g. to the recorded cloud) or empty

  size_t size() const { return xyz.size() / 3; }
};

struct PointSequence {
  std::vector<PointFrame> frames;
  std::vector<int> frame_indices;                // episode frame of each frame (labels), or empty
  std::vector<PinholeIntrinsics> cameras;
  std::vector<std::vector<Mat4>> camera_poses;   // [frame][camera] T_world_cam, or empty
  std::vector<Vec3> trajectory;                  // end-effector position per frame, or empty
  double fps = 0;                                // playback rate, 0 when unknown
  std::string source;                            // "recorded" / "predicted" (labels only)
};

// Throws RenderError naming `what` and the frame when arrays disagree in size (rgb ≠ 3N, view/error
// neither empty nor N, camera_poses not frames × cameras).
void validate(const PointSequence& sequence, const std::string& what);

}  // namespace xwam::render
