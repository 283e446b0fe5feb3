// The main window, driven headless: open a scene, scrub the timeline, survive a bad file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <QSignalSpy>
#include <filesystem>
#include <fstream>

#include "app/studio/MainWindow.h"
#include "widgets/CameraGrid.h"
#include "widgets/Timeline.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Frame t of camera c is filled with a flat colour that encodes (c, t).
std::string write_scene(int frames) {
  auto path = (fs::temp_directory_path() / ("xwam_studio_test_" + std::to_string(::getpid()) + ".h5")).string();
  data::Episode ep;
  ep.name = "flat";
  ep.instruction = "stack the blue block on the red one";
  ep.num_frames = ep.total_frames = frames;
  const int W = 32, H = 24;
  for (int c = 0; c < 2; ++c) {
    data::CameraInfo cam;
    cam.name = c == 0 ? "main" : "wrist";
    cam.width = W;
    cam.height = H;
    cam.has_depth = true;
    ep.cameras.push_back(cam);
    std::vector<uint8_t> rgb(static_cast<size_t>(frames) * W * H * 3);
    std::vector<float> depth(static_cast<size_t>(frames) * W * H);
    for (int t = 0; t < frames; ++t)
      for (int i = 0; i < W * H; ++i) {
        uint8_t* px = rgb.data() + (static_cast<size_t>(t) * W * H + i) * 3;
        px[0] = static_cast<uint8_t>(40 * t);
        px[1] = static_cast<uint8_t>(100 * c);
        px[2] = 7;
        depth[static_cast<size_t>(t) * W * H + i] = 0.5f + 0.01f * (i % W);
      }
    ep.rgb.push_back(rgb);
    ep.depth.push_back(depth);
  }
  ep.states.assign(static_cast<size_t>(frames) * data::kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(frames) * data::kActionDim, 0.f);
  data::EpisodeFileWriter writer(path);
  writer.add(ep);
  writer.commit();
  return path;
}

}  // namespace

TEST(MainWindow, OpensASceneAndTheTimelineScrubsTheImages) {
  auto path = write_scene(4);
  studio::MainWindow window;
  window.show();
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(path));
  ASSERT_TRUE(shown.wait(10000)) << window.message().toStdString();
  ASSERT_TRUE(window.episode());
  EXPECT_EQ(window.instruction(), "stack the blue block on the red one");

  QImage first = window.camera_grid()->shown_rgb(1);
  ASSERT_FALSE(first.isNull());
  EXPECT_EQ(QColor(first.pixel(5, 5)), QColor(0, 100, 7));

  window.timeline()->set_frame(3);
  QImage later = window.camera_grid()->shown_rgb(1);
  EXPECT_EQ(QColor(later.pixel(5, 5)), QColor(120, 100, 7));
  EXPECT_EQ(window.camera_grid()->frame(), 3);
  fs::remove(path);
}

TEST(MainWindow, ABadFileShowsAMessageAndTheWindowStaysUsable) {
  auto bad = (fs::temp_directory_path() / ("xwam_studio_bad_" + std::to_string(::getpid()) + ".h5")).string();
  std::ofstream(bad) << "garbage";
  studio::MainWindow window;
  window.show();
  QSignalSpy failed(&window, &studio::MainWindow::failed);
  window.open_scene(QString::fromStdString(bad));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_TRUE(window.message().contains("not an HDF5 file")) << window.message().toStdString();
  EXPECT_TRUE(window.message().contains(QString::fromStdString(bad)));

  // Still usable: a good file opens afterwards and clears the message.
  auto good = write_scene(2);
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(good));
  ASSERT_TRUE(shown.wait(10000));
  EXPECT_TRUE(window.message().isEmpty());
  fs::remove(bad);
  fs::remove(good);
}

TEST(Timeline, StepsStayInRangeAndPlaybackAdvances) {
  widgets::Timeline timeline;
  timeline.set_range(3, 100.0);
  QSignalSpy changed(&timeline, &widgets::Timeline::frame_changed);
  timeline.step(-1);
  EXPECT_EQ(timeline.frame(), 0);
  timeline.step(5);
  EXPECT_EQ(timeline.frame(), 2);
  timeline.play();
  ASSERT_TRUE(changed.wait(2000));
  EXPECT_TRUE(timeline.playing());
  timeline.pause();
  EXPECT_FALSE(timeline.playing());
}
