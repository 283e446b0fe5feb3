// The compute point path against the hardware path: the same pictures, picking, and the fallback on
// devices without 64-bit buffer atomics.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "RenderTestScene.h"
#include "render/RenderError.h"

using namespace xwam::render;
using namespace xwam::render::test;

namespace {

// The builder's one frame twice, so the trajectory `from` → `to` (one position per frame) is a line.
PointSequence two_frames(SceneBuilder b, Vec3 from, Vec3 to) {
  b.seq.frames.push_back(b.seq.frames[0]);
  b.seq.camera_poses.push_back(b.seq.camera_poses[0]);
  b.seq.trajectory = {from, to};
  return b.seq;
}

// `n` random points in front of the test camera (colours, views and errors random), with a trajectory.
PointSequence random_cloud(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> xy(-0.7f, 0.7f), z(1.0f, 3.0f), e(0.0f, 0.1f);
  SceneBuilder b;
  for (int i = 0; i < n; ++i)
    b.add(xy(rng), xy(rng), z(rng), uint8_t(rng()), uint8_t(rng()), uint8_t(rng()), uint8_t(i % 3), e(rng));
  return two_frames(b, {-0.3f, 0.1f, 1.2f}, {0.3f, 0.1f, 2.0f});
}

// Share of pixels that differ from the background in either image and are identical in both.
double identical_drawn_pixels(const RgbaImage& a, const RgbaImage& b) {
  size_t drawn = 0, same = 0;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x) {
      if (is_black(a.at(x, y)) && is_black(b.at(x, y))) continue;
      ++drawn;
      same += std::memcmp(a.at(x, y), b.at(x, y), 4) == 0;
    }
  EXPECT_GT(drawn, 0u);
  return drawn ? double(same) / double(drawn) : 0.0;
}

RgbaImage render_on(OffscreenRenderer& r, PointPath path, ViewSettings s) {
  r.scene().set_point_path(path);
  return r.render(s);
}

}  // namespace

// The software device CI runs on has the compute path, so its tests do not skip there.
TEST(RenderComputePath, LavapipeOffersIt) {
  OffscreenRenderer r(32, 32);
  if (!r.context().is_software()) GTEST_SKIP() << "not a CPU Vulkan device";
  EXPECT_TRUE(r.context().supports_compute_points()) << r.context().device_name();
  EXPECT_EQ(r.scene().point_path(), PointPath::Compute);  // the default where the device has it
}

// 1-pixel splats of 20k random points with every colour mode, overlapping clouds tinted, side by side,
// grid, frustums and trajectory drawn over them: at least 99 % of the drawn pixels are identical.
TEST(RenderComputePath, SameImagesAsTheHardwarePath) {
  OffscreenRenderer r(320, 240);
  if (!r.scene().supports_compute_points()) GTEST_SKIP() << "no compute point path";
  const PointSequence predicted = random_cloud(20000, 3), recorded = random_cloud(20000, 4);
  r.scene().set_sequences(&predicted, &recorded);
  ViewSettings s = points_only(1.0f);
  s.show_grid = s.show_frustums = s.show_trajectory = true;
  s.scene_camera = -1;
  r.scene().frame_camera(s, OrbitCamera::Preset::Main);
  for (ColorMode mode : {ColorMode::Rgb, ColorMode::Depth, ColorMode::Height, ColorMode::Error, ColorMode::View}) {
    s.color = mode;
    for (Layout layout : {Layout::Overlay, Layout::SideBySide}) {
      s.layout = layout;
      s.tint_clouds = layout == Layout::Overlay;
      const RgbaImage hw = render_on(r, PointPath::Hardware, s);
      const RgbaImage cs = render_on(r, PointPath::Compute, s);
      EXPECT_GE(identical_drawn_pixels(hw, cs), 0.99) << color_mode_name(mode) << " layout " << int(layout);
    }
  }
  // Round splats of 5 pixels and of a world size.
  s.color = ColorMode::Rgb;
  s.layout = Layout::Overlay;
  s.point_size_px = 5.0f;
  EXPECT_GE(identical_drawn_pixels(render_on(r, PointPath::Hardware, s), render_on(r, PointPath::Compute, s)), 0.99);
  s.point_size_m = 0.01f;
  EXPECT_GE(identical_drawn_pixels(render_on(r, PointPath::Hardware, s), render_on(r, PointPath::Compute, s)), 0.99);
}

// The lines drawn after the points are depth-tested against them: a point in front hides the
// trajectory, one behind it does not.
TEST(RenderComputePath, LinesAreDepthTestedAgainstPoints) {
  OffscreenRenderer r(160, 120);
  if (!r.scene().supports_compute_points()) GTEST_SKIP() << "no compute point path";
  SceneBuilder scene;
  scene.add(0.005f, 0.005f, 1.0f, 255, 0, 0);  // in front of the line at z = 2: pixel (80.5, 60.5)
  scene.add(0.5f, 0.015f, 3.0f, 0, 0, 255);    // behind it: (100·0.5/3 + 80, 100·0.015/3 + 60) = (96.7, 60.5)
  // A horizontal line along row 60 (y = 60.5) at 2 m.
  const PointSequence seq = two_frames(scene, {-1.0f, 0.01f, 2.0f}, {1.0f, 0.01f, 2.0f});
  r.scene().set_sequences(&seq, nullptr);
  ViewSettings s = points_only(5.0f);
  s.show_trajectory = true;
  const RgbaImage img = r.render(s);
  EXPECT_TRUE(near_rgb(img.at(80, 60), {1, 0, 0}, 0));  // the near point hides the line
  EXPECT_FALSE(near_rgb(img.at(96, 60), {0, 0, 1}, 40)) << "the far point is behind the line";
  EXPECT_FALSE(is_black(img.at(70, 60)));                // the line itself is drawn
}

// Picking: the point drawn at a pixel, with its cloud and index in the frame; nothing on the background.
TEST(RenderComputePath, PickReturnsThePointDrawnAtAPixel) {
  OffscreenRenderer r(160, 120);
  if (!r.scene().supports_compute_points()) GTEST_SKIP() << "no compute point path";
  SceneBuilder predicted, recorded;
  predicted.add(0.4f, 0.3f, 2.0f, 255, 255, 255).add(-0.4f, 0.0f, 1.0f, 255, 255, 255);  // pixels (100, 75), (40, 60)
  recorded.add(0.0f, 0.0f, 1.5f, 255, 255, 255);                                           // pixel (80, 60)
  r.scene().set_sequences(&predicted.seq, &recorded.seq);
  ViewSettings s = points_only(3.0f);
  r.draw(s);
  const auto a = r.scene().pick(40, 60);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->recorded);
  EXPECT_EQ(a->index, 1u);
  const auto b = r.scene().pick(100, 75);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->index, 0u);
  EXPECT_GT(b->depth, a->depth);  // 2 m is farther than 1 m
  const auto c = r.scene().pick(80, 60);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->recorded);
  EXPECT_EQ(c->index, 0u);
  EXPECT_FALSE(r.scene().pick(10, 10).has_value());     // background
  EXPECT_FALSE(r.scene().pick(-1, 500).has_value());    // outside the target
  // The picking raster leaves the next frame's picture unchanged.
  const RgbaImage before = r.image();
  EXPECT_EQ(r.render(s).pixels, before.pixels);
  // After a hardware-path frame there is nothing to pick from.
  r.scene().set_point_path(PointPath::Hardware);
  r.draw(s);
  EXPECT_FALSE(r.scene().pick(40, 60).has_value());
}

// Without 64-bit buffer atomics (here: not asked for) the renderer stays on the hardware path and
// refuses the compute path by name.
TEST(RenderComputePath, HardwarePathWithoutAtomics) {
  ContextOptions options;
  options.compute_points = false;
  OffscreenRenderer r(160, 120, options);
  EXPECT_FALSE(r.context().supports_compute_points());
  EXPECT_EQ(r.scene().point_path(), PointPath::Hardware);
  try {
    r.scene().set_point_path(PointPath::Compute);
    FAIL() << "the compute path was accepted";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("shaderBufferInt64Atomics"), std::string::npos) << e.what();
  }
  SceneBuilder scene;
  scene.add(0.005f, 0.005f, 1, 255, 0, 0);  // pixel (80.5, 60.5) → (80, 60)
  r.scene().set_sequences(&scene.seq, nullptr);
  ViewSettings s = points_only(1.0f);
  EXPECT_TRUE(near_rgb(r.render(s).at(80, 60), {1, 0, 0}, 0));
  EXPECT_FALSE(r.scene().pick(80, 60).has_value());
}
