// Colour modes (depth, height, error, view), the two-cloud layouts and the ImGui overlay on synthetic scenes.
#include <gtest/gtest.h>

#include <cstring>

#include "RenderTestScene.h"

using namespace xwam;
using namespace xwam::render;
using namespace xwam::render::test;

namespace {

// Three points straight ahead at z = 1, 1.5, 2 m (left to right), for the colormap modes.
SceneBuilder three_depths() {
  SceneBuilder b;
  b.add(-0.4f, 0, 1.0f, 10, 20, 30, 0, 0.0f);     // pixel (40, 60)
  b.add(0.0f, 0, 1.5f, 10, 20, 30, 1, 0.025f);    // pixel (80, 60)
  b.add(0.8f, 0, 2.0f, 10, 20, 30, 2, 0.2f);      // pixel (120, 60)
  return b;
}

RgbaImage render_mode(OffscreenRenderer& r, ColorMode mode) {
  ViewSettings s = points_only(5.0f);
  s.color = mode;
  s.error_max_m = 0.05f;
  return r.render(s);
}

}  // namespace

class RenderColorModes : public PointPathTest {};

TEST_P(RenderColorModes, EachModeGivesItsColours) {
  OffscreenRenderer r(160, 120);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene = three_depths();
  r.scene().set_sequences(&scene.seq, nullptr);
  const int cols[3] = {40, 80, 120};

  const RgbaImage rgb = render_mode(r, ColorMode::Rgb);
  for (int c : cols) EXPECT_TRUE(near_rgb(rgb.at(c, 60), {10 / 255.f, 20 / 255.f, 30 / 255.f}, 0)) << c;

  // The camera is the world frame. Height (world z) spans the cloud's 1 → 2 m; depth spans its box
  // grown by half about the centre, 0.75 → 2.25 m.
  const RgbaImage height = render_mode(r, ColorMode::Height);
  EXPECT_TRUE(near_rgb(height.at(40, 60), turbo(0.0f)));
  EXPECT_TRUE(near_rgb(height.at(80, 60), turbo(0.5f)));
  EXPECT_TRUE(near_rgb(height.at(120, 60), turbo(1.0f)));
  const RgbaImage depth = render_mode(r, ColorMode::Depth);
  EXPECT_TRUE(near_rgb(depth.at(40, 60), turbo(0.25f / 1.5f)));
  EXPECT_TRUE(near_rgb(depth.at(80, 60), turbo(0.5f)));
  EXPECT_TRUE(near_rgb(depth.at(120, 60), turbo(1.25f / 1.5f)));

  // Error 0, half of the 5 cm scale, and above it.
  const RgbaImage err = render_mode(r, ColorMode::Error);
  EXPECT_TRUE(near_rgb(err.at(40, 60), error_heat(0.0f)));
  EXPECT_TRUE(near_rgb(err.at(80, 60), error_heat(0.5f)));
  EXPECT_TRUE(near_rgb(err.at(120, 60), error_heat(1.0f)));

  const RgbaImage view = render_mode(r, ColorMode::View);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(near_rgb(view.at(cols[i], 60), view_color(i))) << i;
}

TEST_P(RenderColorModes, PointsWithoutErrorAreGrey) {
  OffscreenRenderer r(160, 120);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene;
  scene.add(0, 0, 1, 200, 10, 10);  // error −1: none
  r.scene().set_sequences(&scene.seq, nullptr);
  EXPECT_TRUE(near_rgb(render_mode(r, ColorMode::Error).at(80, 60), kNoErrorGrey));
}

// Predicted and recorded: overlaid (with tints) in one view, or each centred in its half.
TEST_P(RenderColorModes, OverlayAndSideBySideLayouts) {
  OffscreenRenderer r(320, 120);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder predicted, recorded;
  predicted.add(0, 0, 1, 255, 255, 255);
  recorded.add(0.3f, 0, 1, 255, 255, 255);
  r.scene().set_sequences(&predicted.seq, &recorded.seq);

  ViewSettings s = points_only(3.0f);
  s.tint_clouds = true;
  // Overlay: one 320×120 view; the 160×120 camera is scaled ×1 and centred (cx → 160).
  const RgbaImage over = r.render(s);
  const uint8_t* pred = over.at(160, 60);
  const uint8_t* rec = over.at(190, 60);
  EXPECT_GT(pred[0], pred[2]);  // tinted orange
  EXPECT_GT(rec[2], rec[0]);    // tinted blue

  s.layout = Layout::SideBySide;
  s.tint_clouds = false;
  const RgbaImage side = r.render(s);
  EXPECT_FALSE(is_black(side.at(80, 60)));    // predicted at the centre of the left half
  EXPECT_TRUE(is_black(side.at(110, 60)));    // the recorded point is not in the left half
  EXPECT_FALSE(is_black(side.at(160 + 110, 60)));  // recorded, 30 px right of the right half's centre
  EXPECT_TRUE(is_black(side.at(160 + 80, 60)));
}

// The overlay draws its panel and the legend of the error scale; the rest of the image is unchanged.
TEST_P(RenderColorModes, OverlayPanelAndLegend) {
  OffscreenRenderer r(480, 360);
  XWAM_USE_POINT_PATH(r);
  SceneBuilder scene = three_depths();
  r.scene().set_sequences(&scene.seq, nullptr);
  ViewSettings s = points_only(5.0f);
  s.color = ColorMode::Error;
  const RgbaImage plain = r.render(s);
  s.show_overlay = true;
  const RgbaImage with = r.render(s);

  // The panel's background (top left) covers the black clear colour.
  EXPECT_TRUE(is_black(plain.at(30, 30)));
  EXPECT_FALSE(is_black(with.at(30, 30)));
  // The legend's colour bar runs from the bottom to the top of the error scale.
  const Overlay::Rect bar = r.scene().overlay().legend_bar({480, 360});
  const int y = int(0.5f * (bar.y0 + bar.y1));
  EXPECT_TRUE(near_rgb(with.at(int(bar.x0) + 1, y), error_heat(0.0f), 8));
  EXPECT_TRUE(near_rgb(with.at(int(bar.x1) - 2, y), error_heat(1.0f), 8));
  EXPECT_TRUE(near_rgb(with.at(int(0.5f * (bar.x0 + bar.x1)), y), error_heat(0.5f), 8));
  // Far from panel and legend the pixels are those of the plain render (the third splat, at 360, 180).
  EXPECT_FALSE(is_black(plain.at(360, 180)));
  EXPECT_EQ(0, std::memcmp(plain.at(360, 180), with.at(360, 180), 4));
  for (int x = 300; x < 480; ++x) ASSERT_EQ(0, std::memcmp(plain.at(x, 300), with.at(x, 300), 4)) << x;
}

INSTANTIATE_TEST_SUITE_P(PointPaths, RenderColorModes, ::testing::ValuesIn(kPointPaths), path_test_name);
