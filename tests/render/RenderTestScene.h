// Synthetic scenes for the renderer tests: points at known places seen by a known pinhole camera.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "engine/core/Colormap.h"
#include "render/OffscreenRenderer.h"

namespace xwam::render::test {

// A 160×120 camera with fx = fy = 100, cx = 80, cy = 60, at the world origin looking down +z (its
// pose is the identity, so world coordinates are camera coordinates).
inline PinholeIntrinsics test_intrinsics() { return {"cam", 160, 120, 100, 100, 80, 60}; }

// A one-frame sequence seen by the test camera; points added with add().
struct SceneBuilder {
  PointSequence seq;
  SceneBuilder() {
    seq.frames.resize(1);
    seq.cameras.push_back(test_intrinsics());
    seq.camera_poses.push_back({Mat4{}});
  }
  SceneBuilder& add(float x, float y, float z, uint8_t r, uint8_t g, uint8_t b, uint8_t view = 0, float error = -1) {
    PointFrame& f = seq.frames[0];
    f.xyz.insert(f.xyz.end(), {x, y, z});
    f.rgb.insert(f.rgb.end(), {r, g, b});
    f.view.push_back(view);
    f.error.push_back(error);
    return *this;
  }
};

// Settings that draw only the points, through the test camera, with square-ish 1-pixel points.
inline ViewSettings points_only(float point_size_px = 1.0f) {
  ViewSettings s;
  s.scene_camera = 0;
  s.point_size_px = point_size_px;
  s.show_frustums = s.show_trajectory = s.show_grid = false;
  s.show_overlay = false;
  s.background[0] = s.background[1] = s.background[2] = 0.0f;
  s.background[3] = 1.0f;
  return s;
}

inline bool near_rgb(const uint8_t* px, Rgb c, int tolerance = 2) {
  return std::abs(px[0] - int(std::lround(c.r * 255))) <= tolerance &&
         std::abs(px[1] - int(std::lround(c.g * 255))) <= tolerance &&
         std::abs(px[2] - int(std::lround(c.b * 255))) <= tolerance;
}

inline bool is_black(const uint8_t* px) { return px[0] == 0 && px[1] == 0 && px[2] == 0; }

// Tests that run on both point paths: TEST_P over kPointPaths, named by path.
inline const PointPath kPointPaths[] = {PointPath::Hardware, PointPath::Compute};
inline std::string path_test_name(const ::testing::TestParamInfo<PointPath>& info) { return point_path_name(info.param); }
class PointPathTest : public ::testing::TestWithParam<PointPath> {};

// Puts `r` on `path`; false where the device has no compute path (the test then skips).
inline bool select_path(OffscreenRenderer& r, PointPath path) {
  if (path == PointPath::Compute && !r.scene().supports_compute_points()) return false;
  r.scene().set_point_path(path);
  return true;
}

}  // namespace xwam::render::test

// In a PointPathTest: switch `renderer` to the test's path or skip the test.
#define XWAM_USE_POINT_PATH(renderer)                                                              \
  if (!::xwam::render::test::select_path(renderer, GetParam()))                                    \
  GTEST_SKIP() << "the Vulkan device " << (renderer).context().device_name() << " has no compute point path"
