// The `xwam` program as a user meets it: help, generate → inspect round trip, bad input, exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/data/EpisodeFile.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "tests/cli/CliRunner.h"

using namespace xwam;
using xwam::testing::run_xwam;
namespace fs = std::filesystem;

namespace {

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("xwam_cli_" + std::to_string(::getpid()) + "_" + name);
}

data::Episode tiny_episode(const std::string& name, int T) {
  data::Episode ep;
  ep.name = name;
  ep.instruction = "open the drawer";
  ep.task = "drawer";
  ep.num_frames = ep.total_frames = T;
  data::CameraInfo cam;
  cam.name = "main";
  cam.width = 8;
  cam.height = 6;
  cam.intrinsics = data::PinholeIntrinsics{10, 10, 4, 3};
  cam.T_world_cam = Eigen::Matrix4d::Identity();
  cam.has_depth = true;
  ep.cameras = {cam};
  ep.rgb = {std::vector<uint8_t>(static_cast<size_t>(T) * 8 * 6 * 3, 9)};
  ep.depth = {std::vector<float>(static_cast<size_t>(T) * 8 * 6, 1.5f)};
  ep.states.assign(static_cast<size_t>(T) * data::kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(T) * data::kActionDim, 0.f);
  ep.state_mask.fill(0);
  for (int d = 0; d < 8; ++d) ep.state_mask[d] = 1;
  return ep;
}

}  // namespace

TEST(Cli, HelpListsTheCommandsAndUnknownOnesFail) {
  auto help = run_xwam("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("inspect"), std::string::npos);
  auto unknown = run_xwam("frobnicate");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos);
}

TEST(Cli, InspectJsonDescribesTheFile) {
  auto path = temp_path("inspect.h5").string();
  {
    data::EpisodeFileWriter w(path);
    w.add(tiny_episode("a", 5));
    w.add(tiny_episode("b", 7));
    std::vector<data::Episode> eps = {tiny_episode("a", 5)};
    w.set_stats(data::NormStats::compute(eps));
    w.commit();
  }
  auto r = run_xwam("inspect " + path + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["num_episodes"], 2);
  EXPECT_EQ(j["total_frames"], 12);
  EXPECT_EQ(j["episodes"][1]["name"], "b");
  EXPECT_EQ(j["episodes"][1]["frames"], 7);
  EXPECT_EQ(j["episodes"][0]["instruction"], "open the drawer");
  EXPECT_EQ(j["episodes"][0]["cameras"][0]["intrinsics"]["fx"], 10.0);
  EXPECT_EQ(j["episodes"][0]["modalities"]["state_dims"], 8);
  EXPECT_EQ(j["episodes"][0]["modalities"]["depth"], true);
  EXPECT_FALSE(j["stats"].is_null());
  auto text = run_xwam("inspect " + path);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("2 episodes"), std::string::npos);
  fs::remove(path);
}

// Each camera's kind of depth: metric, encoded (8-bit codes, mapping unknown) or none.
TEST(Cli, InspectShowsEncodedDepthWithoutMetricMapping) {
  auto path = temp_path("inspect_encoded.h5").string();
  data::Episode ep = tiny_episode("e", 3);
  data::CameraInfo released = ep.cameras[0];
  released.name = "released";
  released.has_depth = false;
  released.depth_encoded = true;
  data::CameraInfo plain = ep.cameras[0];
  plain.name = "plain";
  plain.has_depth = false;
  ep.cameras = {ep.cameras[0], released, plain};
  ep.rgb = {ep.rgb[0], ep.rgb[0], ep.rgb[0]};
  ep.depth = {ep.depth[0], {}, {}};
  ep.depth_code = {{}, std::vector<uint8_t>(3 * 8 * 6, 200), {}};
  {
    data::EpisodeFileWriter w(path);
    w.add(ep);
    w.commit();
  }
  auto text = run_xwam("inspect " + path);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto line_of = [&](const std::string& camera) {
    const size_t at = text.out.find("camera " + camera);
    return at == std::string::npos ? std::string() : text.out.substr(at, text.out.find('\n', at) - at);
  };
  EXPECT_NE(line_of("released").find("depth: encoded, no metric mapping"), std::string::npos) << text.out;
  EXPECT_NE(line_of("main").find("depth: metric"), std::string::npos) << text.out;
  EXPECT_NE(line_of("plain").find("depth: none"), std::string::npos) << text.out;
  auto json_out = nlohmann::json::parse(run_xwam("inspect " + path + " --json").out);
  EXPECT_EQ(json_out["episodes"][0]["cameras"][1]["depth"], "encoded");
  EXPECT_EQ(json_out["episodes"][0]["modalities"]["depth"], true);
  fs::remove(path);
}

TEST(Cli, BadInputNamesTheFileAndExitsNonZero) {
  auto bad = temp_path("bad.h5").string();
  std::ofstream(bad) << "not hdf5";
  auto r = run_xwam("inspect " + bad);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  auto typo = run_xwam("inspect " + bad + " --jsn");
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("--jsn"), std::string::npos) << typo.err;
  auto missing = run_xwam("inspect");
  EXPECT_NE(missing.exit_code, 0);
  fs::remove(bad);
}


TEST(Cli, GenerateThenInspectRoundTripsEveryArray) {
  auto path = temp_path("generated.h5").string();
  auto gen = run_xwam("generate --episodes 2 --seed 5 --width 64 --height 48 --frames 24 --out " + path);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.err.find("[generate]"), std::string::npos) << "progress lines expected";
  auto inspect = run_xwam("inspect " + path + " --json");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out);
  ASSERT_EQ(j["num_episodes"], 2);

  // The same episodes made in-process: every array in the file equals them exactly.
  data::synthetic::GeneratorOptions options;
  options.width = 64;
  options.height = 48;
  options.frames = 24;
  std::vector<data::Episode> expected;
  data::synthetic::generate_episodes(options, 2, 5, [&](data::Episode&& ep) { expected.push_back(std::move(ep)); });
  data::EpisodeFileReader reader(path);
  for (int i = 0; i < 2; ++i) {
    const data::Episode got = reader.read(i);
    const data::Episode& want = expected[i];
    EXPECT_EQ(j["episodes"][i]["instruction"], want.instruction);
    EXPECT_EQ(j["episodes"][i]["frames"], want.num_frames);
    EXPECT_EQ(j["episodes"][i]["cameras"].size(), want.cameras.size());
    EXPECT_EQ(got.states, want.states);
    EXPECT_EQ(got.actions, want.actions);
    for (size_t c = 0; c < want.cameras.size(); ++c) {
      EXPECT_EQ(got.rgb[c], want.rgb[c]) << "camera " << c;
      EXPECT_EQ(got.depth[c], want.depth[c]) << "camera " << c;
      EXPECT_TRUE(got.cameras[c].intrinsics.has_value());
    }
    EXPECT_EQ(got.source.at("object_poses").values, want.source.at("object_poses").values);
  }
  // A typo in an option is an error, and nothing is written.
  auto bad = run_xwam("generate --episodes 2 --sed 5 --out " + path + ".bad");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(fs::exists(path + ".bad"));
  fs::remove(path);
}

TEST(Cli, AFailedImportLeavesNoOutput) {
  auto bad = temp_path("not_robomimic.hdf5").string();
  auto out = temp_path("imported.h5").string();
  std::ofstream(bad) << "not hdf5";
  auto r = run_xwam("import --format robomimic --in " + bad + " --out " + out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
    EXPECT_EQ(e.path().filename().string().find("imported.h5.tmp"), std::string::npos);
  auto unknown = run_xwam("import --format lerobot --in " + bad + " --out " + out);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("lerobot"), std::string::npos);
  fs::remove(bad);
}

TEST(Cli, ModelReportsTheReleasedTokenLayout) {
  auto r = run_xwam("model --config wan2.2-ti2v-5b --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // 3 views × 3 latent frames × 8×10 patches, then 32 action and 9 proprio tokens (method.md).
  EXPECT_EQ(j["tokens"]["video"], 720);
  EXPECT_EQ(j["tokens"]["total"], 761);
  EXPECT_EQ(j["parameters"]["dit"], 4999787712LL);
  auto bad = run_xwam("model --config nosuch");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("nosuch"), std::string::npos);
}

TEST(Cli, InitFromWanRefusesADirectoryWithoutWeights) {
  auto empty = temp_path("not_wan");
  fs::create_directories(empty);
  auto r = run_xwam("init-from-wan --wan-dir " + empty.string() + " --config tiny --out " + temp_path("ckpt").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not a Wan2.2 model directory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(temp_path("ckpt") / "model.safetensors"));
  fs::remove_all(empty);
}
