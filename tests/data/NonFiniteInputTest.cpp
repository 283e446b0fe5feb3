// Numbers and paths read from data files: NaN/inf, whole numbers past int's range and paths leading out
// of the dataset are refused, each error naming the file and the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/Hdf5.h"
#include "engine/data/VideoWriter.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam;
using namespace xwam::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
const std::string kKey = "chunk-0000/episode_0000000";

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("xwam_nonfinite_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_grey_video(const fs::path& path, int frames) {
  fs::create_directories(path.parent_path());
  VideoWriter out(path.string(), 16, 16, {10.0, 0.9, 12});
  std::vector<uint8_t> rgb(16 * 16 * 3, 100);
  for (int t = 0; t < frames; ++t) out.add(rgb.data());
  out.finish();
}

// A 4-frame, one-camera episode in the released layout; the JSON is returned for tests to spoil.
json write_small_dataset(const fs::path& root) {
  const int T = 4;
  json pos = json::array(), raw = json::array();
  for (int t = 0; t < T; ++t) {
    pos.push_back({0.1 * t, 0.0, 0.5});
    raw.push_back({0, 0, 0, 0, 0, 0, 1});
  }
  json ep = {{"num_frames", T},
             {"instructions", {"push"}},
             {"observations", {{"cam", {{"type", "static"}, {"rgb_path", "video/cam/v.mp4"}, {"fps", 10}}}}},
             {"proprios", {{"left_ee_pos", pos}}},
             {"actions", {{"raw_actions", raw}}}};
  write_grey_video(root / "video/cam/v.mp4", T);
  fs::create_directories(root / "data/chunk-0000");
  std::ofstream(root / "metadata.json") << json({{kKey, T}}).dump();
  return ep;
}

// Writes `text` as the episode JSON and returns the Error reading it throws (fails when none).
Error episode_error(const fs::path& root, const std::string& text) {
  std::ofstream(root / "data/chunk-0000/episode_0000000.json") << text;
  try {
    read_xwam_episode(root.string(), kKey, {});
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << text.substr(0, 200);
  return Error("");
}

void expect_in(const std::string& needle, const std::string& text) {
  EXPECT_NE(text.find(needle), std::string::npos) << "'" << needle << "' not in: " << text;
}
}  // namespace

TEST(NonFiniteInput, XWamEpisodeNumbersAreFiniteAndInRange) {
  const fs::path root = fresh_dir("episode");
  const json good = write_small_dataset(root);
  const std::string file = (root / "data/chunk-0000/episode_0000000.json").string();
  std::ofstream(file) << good.dump();
  ASSERT_NO_THROW(read_xwam_episode(root.string(), kKey, {}));

  // Replaces the first occurrence of `from` in the good episode's text.
  auto spoiled = [&](const std::string& from, const std::string& to) {
    std::string text = good.dump();
    EXPECT_NE(text.find(from), std::string::npos) << from;
    return text.replace(text.find(from), from.size(), to);
  };
  Error e = episode_error(root, spoiled("\"num_frames\":4", "\"num_frames\":1e300"));
  EXPECT_EQ(e.file(), file);
  EXPECT_EQ(e.context(), "key num_frames");
  e = episode_error(root, spoiled("\"num_frames\":4", "\"num_frames\":2.5"));
  EXPECT_EQ(e.context(), "key num_frames");
  // JSON text cannot spell NaN, and the parser refuses 1e999: still an error naming the file.
  e = episode_error(root, spoiled("[0.0,0.0,0.5]", "[1e999,0.0,0.5]"));
  EXPECT_EQ(e.file(), file);
  e = episode_error(root, spoiled("[0,0,0,0,0,0,1]", "[0,0,0,\"x\",0,0,1]"));
  expect_in("actions.raw_actions", e.what());
  e = episode_error(root, spoiled("\"fps\":10", "\"fps\":-10"));
  EXPECT_EQ(e.context(), "key observations.cam.fps");
  e = episode_error(root, spoiled("\"fps\":10", "\"fps\":\"10\""));
  EXPECT_EQ(e.context(), "key observations.cam.fps");
  e = episode_error(root, spoiled("\"rgb_path\"", "\"end\":1e300,\"rgb_path\""));
  EXPECT_EQ(e.context(), "key observations.cam.end");
  // A type error of the JSON library still names the file and the episode.
  e = episode_error(root, spoiled("[\"push\"]", "[5]"));
  EXPECT_EQ(e.file(), file);
  expect_in("episode " + kKey, e.what());
  fs::remove_all(root);
}

TEST(NonFiniteInput, XWamPathsStayInsideTheDataset) {
  const fs::path root = fresh_dir("paths"), outside = fresh_dir("paths_outside");
  json ep = write_small_dataset(root);
  write_grey_video(outside / "v.mp4", 4);
  const std::string file = (root / "data/chunk-0000/episode_0000000.json").string();

  for (const std::string& bad : {(outside / "v.mp4").string(), "../" + outside.filename().string() + "/v.mp4"}) {
    ep["observations"]["cam"]["rgb_path"] = bad;
    const Error e = episode_error(root, ep.dump());
    EXPECT_EQ(e.file(), file);
    EXPECT_EQ(e.context(), "key observations.cam.rgb_path");
    expect_in("'" + bad + "'", e.what());
  }
  // A camera name that cannot be a folder name.
  ep["observations"]["cam"]["rgb_path"] = "video/cam/v.mp4";
  ep["observations"][".."] = ep["observations"]["cam"];
  EXPECT_EQ(episode_error(root, ep.dump()).file(), file);

  // metadata.json keys name files under data/.
  std::ofstream(root / "metadata.json") << R"({"../../../../etc/passwd": 4})";
  try {
    list_xwam_episodes(root.string());
    FAIL() << "escaping metadata key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), (root / "metadata.json").string());
    expect_in("../../../../etc/passwd", e.what());
  }
  EXPECT_THROW(read_xwam_episode(root.string(), "../../../../etc/passwd", {}), Error);
  fs::remove_all(root);
  fs::remove_all(outside);
}

TEST(NonFiniteInput, CalibrationNumbersAreCheckedAndStatisticsFinite) {
  const fs::path root = fresh_dir("calib");
  const std::string cams = (root / "CAMERAS.json").string();
  std::ofstream(cams) << R"({"cameras": {"cam": {"intrinsics": {"fx": "wide", "fy": 20, "cx": 8, "cy": 8}}}})";
  try {
    read_camera_calibrations(cams);
    FAIL() << "a focal length that is no number accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), cams);
    EXPECT_EQ(e.context(), "key cameras.cam.intrinsics.fx");
  }
  std::ofstream(cams) << R"({"cameras": {"cam": {"depth": {"near_m": 0.1, "far_m": "far"}}}})";
  try {
    read_camera_calibrations(cams);
    FAIL() << "a depth range that is no number accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "key cameras.cam.depth.far_m");
  }
  std::ofstream(cams) << R"({"cameras": {"cam": {"mount": "wrist", "arm": 1e300}}})";
  EXPECT_THROW(read_camera_calibrations(cams), Error);

  // YAML spells NaN `.nan`; statistics holding one are refused by key.
  const std::string yaml = (root / "statistics.yaml").string();
  std::ofstream(yaml) << "statistics:\n  q01:\n    gripper_pos: [.nan]\n  q99:\n    gripper_pos: [1]\n";
  try {
    read_xwam_statistics(yaml);
    FAIL() << "NaN statistics accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), yaml);
    EXPECT_EQ(e.context(), "key gripper_pos");
  }
  fs::remove_all(root);
}

TEST(NonFiniteInput, EpisodeFilesRefuseNaNStatisticsAndAttributes) {
  const fs::path root = fresh_dir("h5");
  synthetic::GeneratorOptions options;
  options.width = 32;
  options.height = 24;
  options.frames = 16;
  std::vector<Episode> episodes;
  synthetic::generate_episodes(options, 1, 3, [&](Episode&& ep) { episodes.push_back(std::move(ep)); });
  const std::string path = (root / "scene.h5").string();

  // NaN statistics are not stored.
  NormStats stats = NormStats::compute(episodes);
  stats.action_q99[5] = kNaN;
  {
    EpisodeFileWriter writer(path);
    writer.add(episodes[0]);
    try {
      writer.set_stats(stats);
      FAIL() << "NaN statistics stored";
    } catch (const Error& e) {
      EXPECT_EQ(e.context(), "key action_q99[5]");
    }
    stats.action_q99[5] = 1.f;
    writer.set_stats(stats);
    writer.commit();
  }
  // A file spoiled afterwards: NaN statistics and a NaN frame count (read as 0 before) are refused by name.
  {
    auto guard = h5::lock();
    h5::Group file(h5::Id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose), path, "/");
    const h5::Group s = file.group("stats");
    H5Adelete(s.id(), "state_q01");
    std::vector<double> q01(kStateDim, 0.0);
    q01[2] = std::numeric_limits<double>::quiet_NaN();
    s.set_attr("state_q01", q01);
    const h5::Group ep = file.group("episodes").group("ep_000000");
    H5Adelete(ep.id(), "num_frames");
    ep.set_attr("num_frames", std::numeric_limits<double>::quiet_NaN());
  }
  EpisodeFileReader reader(path);
  try {
    reader.stats();
    FAIL() << "NaN statistics read";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.context(), "key state_q01[2]");
  }
  try {
    reader.summary(0);
    FAIL() << "NaN num_frames read";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), path);
    expect_in("num_frames", e.what());
  }
  fs::remove_all(root);
}

TEST(NonFiniteInput, EpisodeValidationRefusesBadPosesIntrinsicsAndCameraNames) {
  synthetic::GeneratorOptions options;
  options.width = 32;
  options.height = 24;
  options.frames = 16;
  std::vector<Episode> episodes;
  synthetic::generate_episodes(options, 1, 5, [&](Episode&& ep) { episodes.push_back(std::move(ep)); });
  ASSERT_NO_THROW(episodes[0].validate("scene.h5"));
  ASSERT_FALSE(episodes[0].cameras.empty());

  Episode ep = episodes[0];
  int fixed = -1;
  for (size_t c = 0; c < ep.cameras.size(); ++c)
    if (ep.cameras[c].T_world_cam) fixed = static_cast<int>(c);
  ASSERT_GE(fixed, 0);
  (*ep.cameras[fixed].T_world_cam)(0, 3) = kNaN;
  try {
    ep.validate("scene.h5");
    FAIL() << "NaN pose accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "episode " + ep.name + " camera " + ep.cameras[fixed].name + " T_world_cam");
  }
  ep = episodes[0];
  ep.cameras[0].intrinsics->cx = kNaN;
  EXPECT_THROW(ep.validate("scene.h5"), Error);
  for (const std::string bad : {"..", "a/b", ""}) {
    ep = episodes[0];
    ep.cameras[0].name = bad;
    EXPECT_THROW(ep.validate("scene.h5"), Error) << bad;
  }
}

TEST(NonFiniteInput, ExportRefusesCameraNamesThatLeaveItsFolder) {
  const fs::path root = fresh_dir("export");
  synthetic::GeneratorOptions options;
  options.width = 32;
  options.height = 24;
  options.frames = 16;
  std::vector<Episode> episodes;
  synthetic::generate_episodes(options, 1, 7, [&](Episode&& ep) { episodes.push_back(std::move(ep)); });
  episodes[0].cameras[0].name = "..";
  try {
    export_xwam_dataset(episodes, NormStats::compute(episodes), (root / "out").string());
    FAIL() << "camera '..' exported";
  } catch (const Error& e) {
    expect_in("camera name", e.context());
    expect_in("'..'", e.what());
  }
  // Nothing was written next to the output folder.
  for (const auto& entry : fs::directory_iterator(root)) EXPECT_EQ(entry.path().filename(), "out") << entry.path();
  EXPECT_FALSE(fs::exists(root / "out" / "video"));
  fs::remove_all(root);
}
