// The comparison every front uses: the recording at the rollout's size, metrics, clouds with errors,
// and the pictures (depth errors, comparison frame, contact sheet, heatmaps) with their file exports.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Colormap.h"
#include "engine/core/Error.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/ComparisonImages.h"
#include "engine/geometry/ImageText.h"
#include "engine/geometry/RolloutExports.h"
#include "tests/geometry/RolloutBuilder.h"
#include "tests/geometry/TempDir.h"
#include "tests/geometry/TestScene.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
// A perfect prediction at half the recording's size.
geometry::Rollout half_size_rollout(const data::Episode& episode) {
  geometry::Rollout full = test::rollout_from_episode(episode, 0, 1, episode.num_frames - 1);
  const data::Episode small = [&] {
    geometry::Rollout sizes = full;
    for (auto& v : sizes.views) v.width /= 2, v.height /= 2;
    return geometry::episode_at_rollout_size(episode, sizes);
  }();
  return test::rollout_from_episode(small, 0, 1, episode.num_frames - 1);
}
}  // namespace

TEST(Comparison, TheRecordingIsResizedToTheRolloutsViewsWithScaledIntrinsics) {
  data::Episode ep;
  ep.num_frames = 1;
  data::CameraInfo cam;
  cam.name = "main";
  cam.width = 8;
  cam.height = 4;
  cam.has_depth = true;
  cam.intrinsics = data::PinholeIntrinsics{10, 20, 4, 2};
  ep.cameras.push_back(cam);
  ep.rgb.push_back(std::vector<uint8_t>(8 * 4 * 3, 200));
  ep.depth.push_back(std::vector<float>(8 * 4, 1.5f));
  geometry::Rollout ro;
  geometry::RolloutView view;
  view.camera = "main";
  view.width = 4;
  view.height = 2;
  ro.views.push_back(view);
  const data::Episode small = geometry::episode_at_rollout_size(ep, ro);
  EXPECT_EQ(small.cameras[0].width, 4);
  EXPECT_EQ(small.cameras[0].height, 2);
  EXPECT_EQ(small.rgb[0].size(), 4u * 2 * 3);
  EXPECT_EQ(small.rgb[0][5], 200);
  EXPECT_EQ(small.depth[0].size(), 4u * 2);
  EXPECT_FLOAT_EQ(small.depth[0][3], 1.5f);
  EXPECT_DOUBLE_EQ(small.cameras[0].intrinsics->fx, 5);
  EXPECT_DOUBLE_EQ(small.cameras[0].intrinsics->fy, 10);
  // OpenCV centres at integers: halving maps u + 0.5 to (u + 0.5)/2, so cx' = 4.5/2 − 0.5, cy' = 2.5/2 − 0.5.
  EXPECT_DOUBLE_EQ(small.cameras[0].intrinsics->cx, 1.75);
  EXPECT_DOUBLE_EQ(small.cameras[0].intrinsics->cy, 0.75);
}

TEST(Comparison, APerfectPredictionAtAnotherSizeScoresPerfectlyAgainstTheResizedRecording) {
  const data::Episode episode = test::make_tabletop(3, 64, 48);
  const geometry::Rollout rollout = half_size_rollout(episode);
  ASSERT_EQ(rollout.views[0].width, 32);
  // evaluate_rollout alone refuses the size difference; the comparison brings the recording to it.
  EXPECT_THROW(geometry::evaluate_rollout(episode, rollout), Error);
  const geometry::Comparison c = geometry::compare_rollout(episode, rollout);
  ASSERT_TRUE(c.report) << c.evaluation_error;
  EXPECT_TRUE(std::isinf(c.report->prediction.mean.rgb_psnr));
  EXPECT_NEAR(c.report->prediction.mean.depth_absrel, 0.0, 1e-6);
  ASSERT_TRUE(c.clouds.predicted) << c.cloud_error;
  ASSERT_TRUE(c.clouds.recorded);
  // The predicted points lie on the recorded surface: errors are small against the scene's metres.
  double worst = 0;
  for (const auto& f : c.clouds.predicted->frames)
    for (float e : f.error) worst = std::max(worst, double(e));
  EXPECT_GT(c.clouds.predicted->frames[0].error.size(), 100u);
  EXPECT_LT(worst, 0.05);
}

TEST(Comparison, ARolloutOfAnotherEpisodeIsRefusedByName) {
  const data::Episode episode = test::make_tabletop(3, 32, 24);
  geometry::Rollout rollout = test::rollout_from_episode(episode, 0, 1, 2);
  rollout.episode_name = "someone_else";
  rollout.dir = "/runs/r1";
  try {
    geometry::check_rollout_episode(rollout, episode);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/runs/r1/manifest.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("someone_else"), std::string::npos) << e.what();
  }
}

TEST(ComparisonImages, DepthErrorsUseTheOneColourScale) {
  const data::Episode episode = test::make_tabletop(2, 16, 12);
  geometry::Rollout rollout = test::rollout_from_episode(episode, 0, 1, 1);
  auto& view = rollout.views[0];
  const int c = episode.camera_index(view.camera);
  for (float& d : view.depth)
    if (d > 0) d += 0.05f;  // 5 cm too far everywhere
  const geometry::RgbImage errors = geometry::depth_error_image(view, 0, episode, c, 1, 0.1f);
  ASSERT_EQ(errors.width, 16);
  const Rgb half = turbo(0.5f);
  int checked = 0;
  for (int i = 0; i < 16 * 12; ++i) {
    if (episode.depth_frame(c, 1)[i] <= 0) continue;
    EXPECT_NEAR(errors.pixels[i * 3], std::lround(255 * half.r), 1) << i;
    EXPECT_NEAR(errors.pixels[i * 3 + 2], std::lround(255 * half.b), 1) << i;
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(ComparisonImages, FramesAndSheetsHoldTheRecordedAndPredictedPixelsAndLabels) {
  const data::Episode episode = test::make_tabletop(3, 32, 24);
  const geometry::Rollout rollout = test::rollout_from_episode(episode, 0, 1, 2);
  const geometry::RgbImage frame = geometry::comparison_frame(episode, rollout, 0);
  EXPECT_EQ(frame.width % 2, 0);
  EXPECT_EQ(frame.height % 2, 0);
  // Row 0: recorded then predicted, enlarged by whole pixels (a perfect prediction: equal cells).
  const int scale = 240 / 24, label_h = geometry::text_height(2) + 8, cell_w = 32 * scale + 2;
  for (int y : {0, 7, 23})
    for (int x : {0, 13, 31}) {
      const uint8_t* rec = &frame.pixels[((label_h + y * scale) * frame.width + x * scale) * 3];
      const uint8_t* pred = &frame.pixels[((label_h + y * scale) * frame.width + cell_w + x * scale) * 3];
      const uint8_t* truth = episode.rgb_frame(episode.camera_index(rollout.views[0].camera), 1) + (y * 32 + x) * 3;
      for (int ch = 0; ch < 3; ++ch) {
        EXPECT_NEAR(rec[ch], truth[ch], 1);
        EXPECT_EQ(pred[ch], truth[ch]);
      }
    }
  // Labels are drawn in the light label colour above the cells.
  int label_pixels = 0;
  for (int y = 0; y < label_h; ++y)
    for (int x = 0; x < frame.width; ++x) label_pixels += frame.pixels[(y * frame.width + x) * 3] == 220;
  EXPECT_GT(label_pixels, 50);
  const geometry::RgbImage sheet = geometry::contact_sheet(episode, rollout);
  EXPECT_EQ(sheet.height, geometry::text_height(2) + 10 + int(rollout.views.size()) * 4 * (24 * (128 / 24) + 2));
}

TEST(ComparisonImages, TextIsDrawnWithinTheImage) {
  geometry::RgbImage image{20, 10, std::vector<uint8_t>(20 * 10 * 3, 0)};
  const uint8_t white[3] = {255, 255, 255};
  geometry::draw_text(image, 15, 2, "frame 12", white, 1);  // runs off the right edge: clipped
  int lit = 0;
  for (size_t i = 0; i < image.pixels.size(); i += 3) lit += image.pixels[i] == 255;
  EXPECT_GT(lit, 3);
  EXPECT_EQ(geometry::text_width("ab", 2), 22);
}

TEST(RolloutExports, FilesAreRefusedWhenPresentUnlessForcedAndFoldersKeepAUsersFiles) {
  const fs::path dir = test::temp_dir();
  const data::Episode episode = test::make_tabletop(3, 32, 24);
  const geometry::Rollout rollout = test::rollout_from_episode(episode, 0, 1, 2);
  using geometry::ExportKind;
  const fs::path sheet = dir / "sheet.png";
  { std::ofstream(sheet) << "mine"; }
  EXPECT_THROW(geometry::export_rollout(ExportKind::ContactSheet, sheet.string(), episode, rollout, nullptr, {}), Error);
  EXPECT_EQ(fs::file_size(sheet), 4u);  // untouched
  geometry::export_rollout(ExportKind::ContactSheet, sheet.string(), episode, rollout, nullptr, {true});
  EXPECT_GT(fs::file_size(sheet), 1000u);
  const fs::path user = dir / "user";
  fs::create_directories(user);
  { std::ofstream(user / "notes.txt") << "keep"; }
  EXPECT_THROW(geometry::export_rollout(ExportKind::Heatmaps, user.string(), episode, rollout, nullptr, {}), Error);
  EXPECT_TRUE(fs::exists(user / "notes.txt"));
  geometry::export_rollout(ExportKind::Heatmaps, (dir / "heat").string(), episode, rollout, nullptr, {});
  EXPECT_TRUE(fs::exists(dir / "heat" / "heatmaps.json"));
  EXPECT_TRUE(fs::exists(dir / "heat" / rollout.views[0].camera / "frame_001.png"));
  geometry::export_rollout(ExportKind::MetricsJson, (dir / "m.json").string(), episode, rollout, nullptr, {});
  std::ifstream metrics(dir / "m.json");
  const std::string text((std::istreambuf_iterator<char>(metrics)), {});
  EXPECT_NE(text.find("\"rgb_psnr\": \"inf\""), std::string::npos) << text.substr(0, 200);
}
