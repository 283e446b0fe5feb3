// Rendering is deterministic, and playing a sequence back for 1000 frames allocates nothing new (both point paths).
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "RenderTestScene.h"
#include "render/RenderError.h"

using namespace xwam::render;
using namespace xwam::render::test;

namespace {

// Ten frames of 2000 random points in front of the test camera, with errors and views.
PointSequence random_sequence() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> xy(-0.6f, 0.6f), z(1.0f, 3.0f), e(0.0f, 0.1f);
  SceneBuilder b;
  PointSequence seq = b.seq;
  seq.frames.assign(10, {});
  seq.camera_poses.assign(10, {Mat4{}});
  for (auto& f : seq.frames)
    for (int i = 0; i < 2000; ++i) {
      f.xyz.insert(f.xyz.end(), {xy(rng), xy(rng), z(rng)});
      f.rgb.insert(f.rgb.end(), {uint8_t(rng()), uint8_t(rng()), uint8_t(rng())});
      f.view.push_back(uint8_t(i % 3));
      f.error.push_back(e(rng));
    }
  for (int t = 0; t < 10; ++t) seq.trajectory.push_back({0.05f * t, 0, 1.5f});
  return seq;
}

// Resident set size in KiB (Linux).
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

class RenderPlaybackPaths : public PointPathTest {};

TEST(RenderPlayback, SameFrameTwiceGivesIdenticalImages) {
  OffscreenRenderer r(200, 150);
  const PointSequence seq = random_sequence();
  r.scene().set_sequences(&seq, &seq);
  ViewSettings s;
  r.scene().frame_camera(s, OrbitCamera::Preset::Main);
  s.frame = 3;
  s.color = ColorMode::Error;
  s.show_overlay = false;  // its frame-time text changes between frames
  const RgbaImage a = r.render(s);
  s.frame = 4;
  const RgbaImage other = r.render(s);
  s.frame = 3;
  const RgbaImage b = r.render(s);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_NE(a.pixels, other.pixels);  // frames differ, so the comparison above can fail
}

TEST_P(RenderPlaybackPaths, ThousandFramesDoNotGrowMemory) {
  OffscreenRenderer r(128, 96);
  XWAM_USE_POINT_PATH(r);
  const PointSequence seq = random_sequence();
  r.scene().set_sequences(&seq, &seq);
  ViewSettings s;
  r.scene().frame_camera(s, OrbitCamera::Preset::Main);
  s.show_overlay = true;
  s.layout = Layout::SideBySide;
  // Warm up: the overlay's vertex buffers grow to their working size in the first frames.
  for (int i = 0; i < 50; ++i) {
    s.frame = i % 10;
    r.draw(s, true);
  }
  const size_t allocations = r.context().live_allocations();
  const size_t made = r.context().allocations_made();
  const long rss_before = rss_kib();
  for (int i = 0; i < 1000; ++i) {
    s.frame = i % 10;
    r.draw(s, i % 10 == 0);
  }
  EXPECT_EQ(r.context().live_allocations(), allocations);
  EXPECT_EQ(r.context().allocations_made(), made) << "buffers or images were (re)created during playback";
  EXPECT_GT(made, 0u);  // the counter counts: the sequences, targets and winners were allocated
  EXPECT_EQ(r.scene().points_drawn(), 2 * 2000u);
  EXPECT_LT(rss_kib() - rss_before, 4 * 1024) << "resident memory grew by more than 4 MiB over 1000 frames";
}

TEST(RenderPlayback, FrameOutOfRangeAndBadSequencesAreRefused) {
  OffscreenRenderer r(64, 48);
  const PointSequence seq = random_sequence();
  r.scene().set_sequences(&seq, nullptr);
  ViewSettings s;
  s.frame = 10;
  try {
    r.draw(s);
    FAIL() << "frame 10 of 10 was drawn";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
  PointSequence bad = seq;
  bad.frames[2].rgb.pop_back();
  EXPECT_THROW(r.scene().set_sequences(&bad, nullptr), RenderError);
  PointSequence empty;
  EXPECT_THROW(r.scene().set_sequences(&empty, nullptr), RenderError);
}

INSTANTIATE_TEST_SUITE_P(PointPaths, RenderPlaybackPaths, ::testing::ValuesIn(kPointPaths), path_test_name);
