// Paths and numbers read from rollout and cloud manifests: confined to their folder, finite, and every
// refusal naming the file, the key and the offending value; `xwam eval` exits non-zero on them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "RolloutBuilder.h"
#include "TempDir.h"
#include "TestScene.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/Rollout.h"

using namespace xwam;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

void write_json(const fs::path& path, const json& j) { std::ofstream(path) << j.dump(1); }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The Error that `f` throws; fails the test when none is thrown.
template <typename F>
Error error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no xwam::Error thrown";
  return Error("");
}

// A two-frame rollout of the tabletop written to dir/rollout, with a secret file beside it.
fs::path write_test_rollout(const fs::path& dir) {
  const data::Episode ep = test::make_tabletop(5, 16, 12);
  geometry::write_rollout((dir / "rollout").string(), test::rollout_from_episode(ep, 0, 2, 2));
  std::ofstream(dir / "secret.csv") << "frame_index,s0\nroot:x:0:0:root:/root:/bin/bash\n";
  return dir / "rollout";
}

void expect_names(const Error& e, const std::string& file, const std::string& context, const std::string& value) {
  EXPECT_EQ(e.file(), file) << e.what();
  EXPECT_EQ(e.context(), context) << e.what();
  EXPECT_NE(std::string(e.what()).find(value), std::string::npos) << e.what();
}
}  // namespace

TEST(ManifestConfinement, RolloutCsvPathsStayInsideTheRollout) {
  const fs::path dir = test::temp_dir(), rollout = write_test_rollout(dir);
  const fs::path manifest = rollout / "manifest.json";
  const json good = read_json(manifest);

  for (const std::string bad : {"../secret.csv", "/etc/passwd", "../../../../../../etc/passwd"}) {
    json m = good;
    m["states_csv"] = bad;
    write_json(manifest, m);
    expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key states_csv",
                 "'" + bad + "'");
  }
  // A symbolic link inside the rollout that leads out of it.
  fs::create_symlink(dir / "secret.csv", rollout / "link.csv");
  json m = good;
  m["actions_csv"] = "link.csv";
  write_json(manifest, m);
  const Error e = error_of([&] { geometry::read_rollout(rollout.string()); });
  expect_names(e, manifest.string(), "key actions_csv", "symbolic link");
  // Nothing of the foreign file is quoted.
  EXPECT_EQ(std::string(e.what()).find("root:"), std::string::npos) << e.what();

  write_json(manifest, good);
  EXPECT_NO_THROW(geometry::read_rollout(rollout.string()));
}

TEST(ManifestConfinement, RolloutCameraNamesAreFileNames) {
  const fs::path dir = test::temp_dir(), rollout = write_test_rollout(dir);
  const fs::path manifest = rollout / "manifest.json";
  const json good = read_json(manifest);
  for (const std::string bad : {"..", "../rollout/rgb/main", "/tmp", ""}) {
    json m = good;
    m["cameras"][0] = bad;
    write_json(manifest, m);
    expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key cameras", "'" + bad + "'");
  }
  // A camera folder that is a symbolic link out of the rollout.
  json m = good;
  m["cameras"][0] = "elsewhere";
  write_json(manifest, m);
  fs::create_directories(dir / "outside");
  fs::create_directory_symlink(dir / "outside", rollout / "rgb" / "elsewhere");
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key cameras", "symbolic link");
}

TEST(ManifestConfinement, WriteRolloutRefusesCameraNamesThatLeaveItsFolder) {
  const fs::path dir = test::temp_dir();
  const data::Episode ep = test::make_tabletop(5, 16, 12);
  for (const std::string bad : {"..", "../escape", "a/b"}) {
    geometry::Rollout r = test::rollout_from_episode(ep, 0, 2, 2);
    r.views[0].camera = bad;
    const Error e = error_of([&] { geometry::write_rollout((dir / "out").string(), r); });
    EXPECT_EQ(e.context(), "key cameras") << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "escape"));
  EXPECT_FALSE(fs::exists(dir / "rgb"));
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(ManifestConfinement, RolloutNumbersAreFiniteAndBlameTheRightFile) {
  const fs::path dir = test::temp_dir(), rollout = write_test_rollout(dir);
  const fs::path manifest = rollout / "manifest.json", states = rollout / "states.csv", actions = rollout / "actions.csv";
  const json good = read_json(manifest);
  const std::string good_states = read_text(states), good_actions = read_text(actions);
  auto replace_first_row_cell = [](std::string csv, size_t cell, const std::string& value) {
    const size_t row = csv.find('\n') + 1;
    size_t start = row;
    for (size_t c = 0; c < cell; ++c) start = csv.find(',', start) + 1;
    const size_t end = csv.find_first_of(",\n", start);
    return csv.replace(start, end - start, value);
  };

  // NaN / inf values and an undefined frame index cast are refused by row and column.
  std::ofstream(actions) << replace_first_row_cell(good_actions, 4, "nan");
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), actions.string(), "row 1 value 3", "finite");
  std::ofstream(actions) << replace_first_row_cell(good_actions, 1, "-inf");
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), actions.string(), "row 1 value 0", "finite");
  std::ofstream(actions) << replace_first_row_cell(good_actions, 0, "1e300");
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), actions.string(), "row 1 frame_index", "frame");
  std::ofstream(actions) << good_actions;
  std::ofstream(states) << replace_first_row_cell(good_states, 2, "1e999");
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), states.string(), "row 1 value 1", "finite");
  // A long foreign cell is quoted short.
  std::ofstream(states) << replace_first_row_cell(good_states, 2, std::string(300, 'z'));
  const Error long_cell = error_of([&] { geometry::read_rollout(rollout.string()); });
  EXPECT_LT(std::string(long_cell.what()).size(), 200u) << long_cell.what();
  std::ofstream(states) << good_states;

  // Bad frame_indices are the manifest's fault, not states.csv's.
  json m = good;
  m["frame_indices"] = {4, 2};
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key frame_indices", "increase");
  m["frame_indices"] = {2, 1e300};
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key frame_indices[1]", "1e+300");
  m = good;
  m["start_frame"] = -1;
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_rollout(rollout.string()); }), manifest.string(), "key start_frame", "-1");
  // Indices that disagree with states.csv name both files.
  m = good;
  m["frame_indices"] = {2, 5};
  write_json(manifest, m);
  const Error both = error_of([&] { geometry::read_rollout(rollout.string()); });
  EXPECT_EQ(both.file(), states.string());
  EXPECT_NE(std::string(both.what()).find("manifest.json"), std::string::npos) << both.what();
}

TEST(ManifestConfinement, CloudFilesStayInsideAndNumbersAreChecked) {
  const fs::path dir = test::temp_dir();
  geometry::CloudSequence seq;
  seq.frames.resize(1);
  seq.frames[0].xyz = {0, 0, 1};
  seq.frames[0].rgb = {255, 0, 0};
  seq.frames[0].view = {0};
  seq.frame_indices = {0};
  seq.cameras.push_back({});
  seq.cameras[0].name = "main";
  seq.camera_poses = {{Eigen::Matrix4d::Identity()}};
  geometry::write_cloud_directory((dir / "clouds").string(), seq);
  geometry::write_cloud_directory((dir / "other").string(), seq);
  const fs::path manifest = dir / "clouds" / "sequence.json";
  const json good = read_json(manifest);

  for (const std::string& bad : {std::string("../other/frame_000000.ply"), (dir / "other" / "frame_000000.ply").string()}) {
    json m = good;
    m["files"][0] = bad;
    write_json(manifest, m);
    expect_names(error_of([&] { geometry::read_cloud_directory((dir / "clouds").string()); }), manifest.string(),
                 "key files[0]", "'" + bad + "'");
  }
  // Whole numbers past their type's range are refused by key before any cast.
  json m = good;
  m["frames"] = 1e300;
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_cloud_directory((dir / "clouds").string()); }), manifest.string(), "key frames",
               "1e+300");
  m = good;
  m["cameras"][0]["width"] = -5;
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_cloud_directory((dir / "clouds").string()); }), manifest.string(),
               "key cameras[main].width", "-5");
  m = good;
  m["camera_poses"][0][0][3] = "x";
  write_json(manifest, m);
  expect_names(error_of([&] { geometry::read_cloud_directory((dir / "clouds").string()); }), manifest.string(),
               "key camera_poses[0][0][3]", "number");
  write_json(manifest, good);
  EXPECT_NO_THROW(geometry::read_cloud_directory((dir / "clouds").string()));
}

TEST(ManifestConfinement, EvalRefusesNonFiniteActionsWithANonZeroExit) {
  const fs::path dir = test::temp_dir();
  const data::Episode ep = test::make_tabletop(5, 16, 12);
  {
    data::EpisodeFileWriter writer((dir / "scene.h5").string());
    writer.add(ep);
    writer.commit();
  }
  geometry::write_rollout((dir / "rollout").string(), test::rollout_from_episode(ep, 0, 2, 2));
  std::string actions = read_text(dir / "rollout" / "actions.csv");
  const size_t second_cell = actions.find(',', actions.find('\n') + 1) + 1;
  actions.replace(second_cell, actions.find(',', second_cell) - second_cell, "nan");
  std::ofstream(dir / "rollout" / "actions.csv") << actions;

  const std::string command = std::string(XWAM_BINARY_DIR) + "/bin/xwam eval --json --rollout " + (dir / "rollout").string() +
                              " --scene " + (dir / "scene.h5").string() + ":0 > " + (dir / "out.txt").string() + " 2> " +
                              (dir / "err.txt").string();
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string err = read_text(dir / "err.txt");
  EXPECT_NE(err.find("actions.csv"), std::string::npos) << err;
  EXPECT_NE(err.find("row 1 value 0"), std::string::npos) << err;
  EXPECT_EQ(read_text(dir / "out.txt"), "");  // no metrics printed
}
