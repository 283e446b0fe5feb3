// Points land where the pinhole projection says, with their colours, and the depth test hides what is behind.
#include <gtest/gtest.h>

#include <cmath>

#include "RenderTestScene.h"

using namespace xwam;
using namespace xwam::render;
using namespace xwam::render::test;

namespace {

struct Projected {
  int col, row;
};
Projected project(const ViewCamera& cam, Vec3 p_world) {
  const Vec3 p = cam.world_to_camera.transform_point(p_world);
  // OpenCV: pixel i is centred on u = i, so (u, v) falls in pixel (round u, round v).
  return {int(std::floor(cam.fx * p.x / p.z + cam.cx + 0.5f)), int(std::floor(cam.fy * p.y / p.z + cam.cy + 0.5f))};
}

int count_non_black(const RgbaImage& img) {
  int n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) n += !is_black(img.at(x, y));
  return n;
}

}  // namespace

class RenderProjection : public PointPathTest {};

// The eight corners of a cube, each its own colour, through the recorded camera: each lands on the
// pixel (fx·x/z + cx, fy·y/z + cy) and nothing else is drawn.
TEST_P(RenderProjection, CubeCornersLandOnTheirPixels) {
  OffscreenRenderer r(160, 120);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene;
  std::vector<Vec3> corners;
  std::vector<Rgb> colours;
  for (int i = 0; i < 8; ++i) {
    const Vec3 p{i & 1 ? 0.23f : -0.21f, i & 2 ? 0.17f : -0.185f, i & 4 ? 1.9f : 1.3f};
    const uint8_t rgb[3] = {uint8_t(40 + 25 * i), uint8_t(i & 1 ? 250 : 90), uint8_t(i & 4 ? 200 : 30)};
    scene.add(p.x, p.y, p.z, rgb[0], rgb[1], rgb[2]);
    corners.push_back(p);
    colours.push_back({rgb[0] / 255.0f, rgb[1] / 255.0f, rgb[2] / 255.0f});
  }
  r.scene().set_sequences(&scene.seq, nullptr);
  ViewSettings s = points_only();
  const RgbaImage img = r.render(s);
  const ViewCamera cam = camera_view(test_intrinsics(), Mat4{}, 160, 120);
  for (int i = 0; i < 8; ++i) {
    const Projected px = project(cam, corners[i]);
    // By hand for corner 0: (100·−0.21/1.3 + 80, 100·−0.185/1.3 + 60) = (63.85, 45.77) → pixel (64, 46).
    if (i == 0) EXPECT_EQ(px.col, 64);
    if (i == 0) EXPECT_EQ(px.row, 46);
    EXPECT_TRUE(near_rgb(img.at(px.col, px.row), colours[i], 0)) << "corner " << i << " at " << px.col << "," << px.row;
  }
  EXPECT_EQ(count_non_black(img), 8);
}

// The same through the orbit camera at an arbitrary pose, bigger target, checked within one pixel.
TEST_P(RenderProjection, OrbitCameraMatchesItsProjection) {
  OffscreenRenderer r(320, 200);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene;
  std::vector<Vec3> points = {{0, 0, 0}, {0.3f, -0.2f, 0.1f}, {-0.25f, 0.3f, 0.4f}, {0.1f, 0.35f, -0.2f}};
  for (const Vec3& p : points) scene.add(p.x, p.y, p.z, 255, 255, 255);
  r.scene().set_sequences(&scene.seq, nullptr);
  ViewSettings s = points_only();
  s.scene_camera = -1;
  s.orbit.target = {0.05f, 0.02f, 0.1f};
  s.orbit.distance_m = 2.0f;
  s.orbit.yaw_rad = 0.7f;
  s.orbit.pitch_rad = 0.4f;
  const RgbaImage img = r.render(s);
  const ViewCamera cam = s.orbit.view(320, 200);
  for (const Vec3& p : points) {
    const Projected px = project(cam, p);
    bool found = false;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) found = found || !is_black(img.at(px.col + dx, px.row + dy));
    EXPECT_TRUE(found) << "no point near " << px.col << "," << px.row;
  }
  EXPECT_EQ(count_non_black(img), 4);
}

// Two splats on one ray: the nearer one wins whichever is drawn first.
TEST_P(RenderProjection, DepthTestHidesOccludedPoints) {
  for (bool near_first : {true, false}) {
    OffscreenRenderer r(160, 120);
    XWAM_USE_POINT_PATH(r);
    SceneBuilder scene;
    if (near_first) scene.add(0, 0, 1.0f, 255, 0, 0).add(0, 0, 2.0f, 0, 255, 0);
    else scene.add(0, 0, 2.0f, 0, 255, 0).add(0, 0, 1.0f, 255, 0, 0);
    r.scene().set_sequences(&scene.seq, nullptr);
    ViewSettings s = points_only(5.0f);
    const RgbaImage img = r.render(s);
    EXPECT_TRUE(near_rgb(img.at(80, 60), {1, 0, 0}, 0)) << "near_first=" << near_first;
    // Nothing green anywhere: the far splat (same size on screen) is fully behind the near one.
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) ASSERT_NE(img.at(x, y)[1], 255) << x << "," << y;
  }
}

// A splat of N pixels covers a disc of that diameter around the projected point.
TEST_P(RenderProjection, PointSizeInPixelsAndMetres) {
  OffscreenRenderer r(160, 120);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene;
  scene.add(0.0f, 0.0f, 1.0f, 255, 255, 255);
  r.scene().set_sequences(&scene.seq, nullptr);
  ViewSettings s = points_only(9.0f);
  const RgbaImage px9 = r.render(s);
  // The point sits on the centre of pixel (80, 60) (OpenCV): 9 px across covers pixels 76..84.
  EXPECT_TRUE(!is_black(px9.at(84, 60)) && !is_black(px9.at(76, 60)));
  EXPECT_TRUE(is_black(px9.at(86, 60)));
  EXPECT_TRUE(is_black(px9.at(84, 64)));  // inside the square, outside the disc: splats are round
  // 0.05 m at 1 m with fx = 100 → 5 pixels across (78..82).
  s.point_size_m = 0.05f;
  const RgbaImage m5 = r.render(s);
  EXPECT_TRUE(!is_black(m5.at(82, 60)) && !is_black(m5.at(78, 60)));
  EXPECT_TRUE(is_black(m5.at(83, 60)));
}

INSTANTIATE_TEST_SUITE_P(PointPaths, RenderProjection, ::testing::ValuesIn(kPointPaths), path_test_name);
