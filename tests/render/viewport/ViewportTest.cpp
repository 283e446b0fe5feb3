// widgets/VulkanViewport: draws the clouds in a real window (under Xvfb or a desktop) and grabs them
// with the right channel order and the recorded camera's projection; without a usable Vulkan device
// it shows a label instead. XWAM_REQUIRE_DISPLAY=1 (scripts/test.sh under xvfb-run) turns the skip
// for a missing display or Vulkan device into a failure, so CI cannot pass without drawing.
#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QTest>
#include <QVulkanWindow>
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "widgets/VulkanViewport.h"

using xwam::widgets::VulkanViewport;
namespace render = xwam::render;

namespace {

// A dense red square patch 1 m in front of a 160×120 camera at the origin (looking down +z).
std::shared_ptr<render::PointSequence> red_patch() {
  auto seq = std::make_shared<render::PointSequence>();
  seq->frames.resize(1);
  for (int i = -20; i <= 20; ++i)
    for (int j = -20; j <= 20; ++j) {
      seq->frames[0].xyz.insert(seq->frames[0].xyz.end(), {i * 0.01f, j * 0.01f, 1.0f});
      seq->frames[0].rgb.insert(seq->frames[0].rgb.end(), {230, 20, 10});
    }
  seq->cameras.push_back({"cam", 160, 120, 100, 100, 80, 60});
  seq->camera_poses.push_back({render::Mat4{}});
  return seq;
}

bool display_required() { return qEnvironmentVariable("XWAM_REQUIRE_DISPLAY") == "1"; }

}  // namespace

TEST(VulkanViewport, DrawsAndGrabsTheScene) {
  if (QGuiApplication::platformName() == "offscreen") {
    if (display_required()) FAIL() << "XWAM_REQUIRE_DISPLAY=1 but Qt runs offscreen (no DISPLAY?)";
    GTEST_SKIP() << "no display (run under xvfb-run)";
  }
  VulkanViewport view;
  if (!view.vulkan_available()) {
    if (display_required()) FAIL() << "XWAM_REQUIRE_DISPLAY=1 but " << view.unavailable_reason().toStdString();
    GTEST_SKIP() << view.unavailable_reason().toStdString();
  }
  view.resize(320, 240);
  view.set_sequences(red_patch(), nullptr);
  view.set_show_overlay(false);
  ASSERT_TRUE(view.set_view("cam"));
  EXPECT_FALSE(view.set_view("no such camera"));
  view.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
  QImage shot;
  QElapsedTimer timer;
  timer.start();
  while (shot.isNull() && timer.elapsed() < 10000) {
    QTest::qWait(50);
    shot = view.grab_composite();
  }
  ASSERT_FALSE(shot.isNull());
  EXPECT_EQ(view.settings().scene_camera, 0) << "the camera view chosen before the first frame is kept";
  // The patch covers the centre: red, not blue (a BGRA swapchain read as RGBA would swap them).
  const QColor centre = shot.pixelColor(shot.width() / 2, shot.height() / 2);
  EXPECT_GT(centre.red(), 200) << centre.name().toStdString();
  EXPECT_LT(centre.blue(), 40) << centre.name().toStdString();
  // A corner shows the background.
  EXPECT_LT(shot.pixelColor(2, 2).red(), 60);
  // The patch's extent follows the pinhole projection: ±0.2 m at 1 m with fx = 100 is ±20 camera
  // pixels, times the view's scale min(W/160, H/120), around the image centre. Inside its edge it is
  // red, a few splats beyond it grey (the background, or the ground grid in the patch's plane).
  const double scale = std::min(shot.width() / 160.0, shot.height() / 120.0), half = 20 * scale;
  const int cx = shot.width() / 2, cy = shot.height() / 2;
  for (const auto& [dx, dy] : {std::pair{1, 0}, std::pair{-1, 0}, std::pair{0, 1}, std::pair{0, -1}}) {
    const QColor inside = shot.pixelColor(cx + int(dx * (half - 4)), cy + int(dy * (half - 4)));
    const QColor outside = shot.pixelColor(cx + int(dx * (half + 8)), cy + int(dy * (half + 8)));
    EXPECT_GT(inside.red(), 200) << "inside the edge towards " << dx << "," << dy << ": " << inside.name().toStdString();
    EXPECT_LT(outside.red() - outside.green(), 30) << "beyond the edge towards " << dx << "," << dy << ": " << outside.name().toStdString();
  }

  // The overlay panel covers the top-left corner.
  view.set_show_overlay(true);
  const QImage with_overlay = view.grab_composite();
  ASSERT_FALSE(with_overlay.isNull());
  EXPECT_NE(with_overlay.pixelColor(20, 20), shot.pixelColor(20, 20));

  // A left drag outside the panel orbits the camera (and leaves the recorded camera's view).
  QWindow* window = nullptr;  // the QVulkanWindow inside the widget's window container
  for (QWindow* w : QGuiApplication::allWindows())
    if (qobject_cast<QVulkanWindow*>(w)) window = w;
  ASSERT_NE(window, nullptr);
  const float yaw = view.settings().orbit.yaw_rad;
  QTest::mousePress(window, Qt::LeftButton, {}, QPoint(250, 200));
  QTest::mouseMove(window, QPoint(290, 205));
  QTest::mouseRelease(window, Qt::LeftButton, {}, QPoint(290, 205));
  EXPECT_EQ(view.settings().scene_camera, -1);
  EXPECT_NE(view.settings().orbit.yaw_rad, yaw);
}

TEST(VulkanViewport, WithoutVulkanShowsALabel) {
  // A loader that finds no driver: the widget must say so and keep working.
  qputenv("VK_ICD_FILENAMES", "/nonexistent/icd.json");
  qputenv("VK_DRIVER_FILES", "/nonexistent/icd.json");
  {
    VulkanViewport view;
    EXPECT_FALSE(view.vulkan_available());
    EXPECT_FALSE(view.unavailable_reason().isEmpty());
    auto* label = view.findChild<QLabel*>();
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->text(), view.unavailable_reason());
    view.set_sequences(red_patch(), red_patch());
    view.set_frame(5);
    EXPECT_EQ(view.frame(), 0);
    EXPECT_EQ(view.frame_count(), 1);
    EXPECT_TRUE(view.grab_composite().isNull());
  }
  qunsetenv("VK_ICD_FILENAMES");
  qunsetenv("VK_DRIVER_FILES");
}

int main(int argc, char** argv) {
  // Headless unless the caller chose a platform (xcb under Xvfb draws for real).
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
