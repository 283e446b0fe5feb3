// `xwam rollout` end to end on the shipped demo checkpoint and scene: the folder it writes (every file
// of docs/rollout-format.md and nothing else), manifest, rollout.json, the action chunk, finite
// predictions, and the comparison mp4 decoding to one frame per predicted frame.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/data/EpisodeFile.h"
#include "engine/data/VideoReader.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/Rollout.h"
#include "tests/cli/CliRunner.h"
#include "tests/cli/DemoCheckpoint.h"

using namespace xwam;
using namespace xwam::testing;
namespace fs = std::filesystem;

namespace {

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Rows of a CSV as written by a rollout: the header, then frame_index and `dim` finite values per row.
std::vector<std::vector<double>> read_csv(const fs::path& path, size_t dim) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("frame_index,", 0), 0u) << path << " header: " << line;
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::vector<double> row;
    for (std::string f; std::getline(fields, f, ',');) row.push_back(std::stod(f));
    EXPECT_EQ(row.size(), dim + 1) << path << ": " << line;
    for (double v : row) EXPECT_TRUE(std::isfinite(v)) << path << ": " << line;
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST(RolloutEndToEnd, WritesTheDocumentedFolderRecordAndVideo) {
  const DemoSizes sizes = demo_sizes();
  const fs::path dir = test_dir(), out = dir / "rollout", video = dir / "comparison.mp4";
  const int start = 4;
  const auto r = run_xwam("rollout --checkpoint " + kDemoCheckpoint + " --scene " + kDemoScene + ":0 --out " +
                          out.string() + " --start-frame " + std::to_string(start) + " --seed 7 --video " +
                          video.string() + " --json --steps-action 2 --steps-video 3 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("action chunk ready"), std::string::npos) << r.err;

  // Exactly the documented files, with xwam's ownership marker.
  EXPECT_EQ(names_in(out), (std::set<std::string>{".xwam-output.json", "actions.csv", "depth", "manifest.json", "rgb",
                                                 "rollout.json", "states.csv"}));
  const std::set<std::string> cameras(sizes.cameras.begin(), sizes.cameras.end());
  EXPECT_EQ(names_in(out / "rgb"), cameras);
  EXPECT_EQ(names_in(out / "depth"), cameras);
  std::set<std::string> png_names, f32_names;
  for (int k = 0; k < sizes.predicted_frames; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%03d", k);
    png_names.insert(std::string(name) + ".png");
    f32_names.insert(std::string(name) + ".f32");
  }
  for (const auto& camera : sizes.cameras) {
    EXPECT_EQ(names_in(out / "rgb" / camera), png_names) << camera;
    EXPECT_EQ(names_in(out / "depth" / camera), f32_names) << camera;
    const geometry::RgbImage first = geometry::read_png((out / "rgb" / camera / "frame_000.png").string());
    EXPECT_EQ(first.width, sizes.width) << camera;
    EXPECT_EQ(first.height, sizes.height) << camera;
    EXPECT_EQ(fs::file_size(out / "depth" / camera / "frame_000.f32"), size_t(sizes.width) * sizes.height * 4) << camera;
  }

  // The manifest: predicted frame k stands for episode frame start + (k + 1) · steps per frame.
  std::ifstream manifest_file(out / "manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(manifest_file);
  EXPECT_EQ(manifest.at("format"), "xwam-rollout");
  EXPECT_EQ(manifest.at("version"), 1);
  EXPECT_EQ(manifest.at("scene"), kDemoScene);
  EXPECT_EQ(manifest.at("episode"), 0);
  EXPECT_EQ(manifest.at("mode"), "xwam");
  EXPECT_EQ(manifest.at("start_frame"), start);
  EXPECT_EQ(manifest.at("cameras").get<std::vector<std::string>>(), sizes.cameras);
  std::vector<int> expected_frames;
  for (int k = 1; k <= sizes.predicted_frames; ++k) expected_frames.push_back(start + k * sizes.steps_per_frame);
  EXPECT_EQ(manifest.at("frame_indices").get<std::vector<int>>(), expected_frames);
  const data::Episode episode = data::read_episode(kDemoScene, 0);
  EXPECT_EQ(manifest.at("episode_name"), episode.name);

  // The action chunk: one row per control step from the start frame on; states one per predicted frame.
  const auto actions = read_csv(out / "actions.csv", data::kActionDim);
  ASSERT_EQ(actions.size(), size_t(sizes.actions));
  for (int a = 0; a < sizes.actions; ++a) EXPECT_EQ(actions[a][0], start + a);
  const auto states = read_csv(out / "states.csv", data::kStateDim);
  ASSERT_EQ(states.size(), size_t(sizes.predicted_frames));
  for (int k = 0; k < sizes.predicted_frames; ++k) EXPECT_EQ(states[k][0], expected_frames[k]);

  // The reader of the format takes it whole; depth finite, in the model's range or 0 (invalid).
  const geometry::Rollout rollout = geometry::read_rollout(out.string());
  EXPECT_NO_THROW(rollout.validate());
  ASSERT_EQ(rollout.views.size(), sizes.cameras.size());
  for (const auto& view : rollout.views) {
    ASSERT_EQ(view.depth.size(), size_t(sizes.predicted_frames) * sizes.width * sizes.height) << view.camera;
    for (float d : view.depth) {
      ASSERT_TRUE(std::isfinite(d)) << view.camera;
      ASSERT_TRUE(d == 0 || (d >= sizes.depth_near_m * 0.999 && d <= sizes.depth_far_m * 1.001)) << view.camera << ": " << d;
    }
  }

  // rollout.json: the request as given and timings that add up; --json printed the same record.
  std::ifstream record_file(out / "rollout.json");
  const nlohmann::json record = nlohmann::json::parse(record_file);
  EXPECT_EQ(nlohmann::json::parse(r.out), record);
  for (const char* key : {"checkpoint", "scene", "episode", "episode_name", "instruction", "mode", "steps_action",
                          "steps_video", "seed", "solver", "guidance_scale", "start_frame", "given_actions", "device",
                          "dtype", "threads", "timings_ms", "network_calls"})
    EXPECT_TRUE(record.contains(key)) << key;
  EXPECT_EQ(record.at("steps_action"), 2);
  EXPECT_EQ(record.at("steps_video"), 3);
  EXPECT_EQ(record.at("seed"), 7);
  EXPECT_EQ(record.at("start_frame"), start);
  EXPECT_EQ(record.at("mode"), "xwam");
  EXPECT_EQ(record.at("device"), "cpu");
  EXPECT_EQ(record.at("dtype"), "float32");
  EXPECT_EQ(record.at("instruction"), episode.instruction);
  EXPECT_EQ(record.at("given_actions"), false);
  // X-WAM mode: the action steps ride on the first video calls (asynchronous denoising), so one call per video step.
  EXPECT_EQ(record.at("network_calls"), 3);
  const nlohmann::json& t = record.at("timings_ms");
  for (const char* key : {"encode", "action", "video", "decode", "total"}) {
    ASSERT_TRUE(t.at(key).is_number()) << key;
    EXPECT_TRUE(std::isfinite(t.at(key).get<double>()) && t.at(key).get<double>() >= 0) << key;
  }
  EXPECT_LE(t.at("action").get<double>(), t.at("total").get<double>());
  EXPECT_LE(t.at("video").get<double>(), t.at("total").get<double>());

  // The comparison video: one decoded frame per predicted frame, and no more.
  data::VideoReader reader(video.string());
  EXPECT_EQ(reader.num_frames(), sizes.predicted_frames);
  EXPECT_GE(reader.width(), sizes.width);
  EXPECT_EQ(reader.frame(sizes.predicted_frames - 1).size(), size_t(reader.width()) * reader.height() * 3);
  EXPECT_ANY_THROW(reader.frame(sizes.predicted_frames));
  fs::remove_all(dir);
}
