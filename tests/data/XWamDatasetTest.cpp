// The released X-WAM dataset layout: export → import round trip, the action encoding by hand,
// statistics YAML, calibration sidecar, and bad input named by file, episode, camera and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/VideoWriter.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("xwam_xds_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * double(a[i] - b[i]);
  return 10 * std::log10(255.0 * 255.0 / (se / a.size() + 1e-12));
}

void write_grey_video(const fs::path& path, int w, int h, int frames) {
  fs::create_directories(path.parent_path());
  VideoWriter out(path.string(), w, h, {10.0, 0.9, 12});
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3, 100);
  for (int t = 0; t < frames; ++t) out.add(rgb.data());
  out.finish();
}

}  // namespace

TEST(XWamDataset, ExportThenImportKeepsEverything) {
  synthetic::GeneratorOptions options;
  options.width = 64;
  options.height = 48;
  options.frames = 20;
  std::vector<Episode> episodes;
  synthetic::generate_episodes(options, 2, 11, [&](Episode&& ep) { episodes.push_back(std::move(ep)); });
  const NormStats stats = NormStats::compute(episodes);
  const fs::path root = fresh_dir("roundtrip");
  export_xwam_dataset(episodes, stats, root.string());

  const auto keys = list_xwam_episodes(root.string());
  ASSERT_EQ(keys, (std::vector<std::string>{"chunk-0000/episode_0000000", "chunk-0000/episode_0000001"}));
  const auto calibrations = read_camera_calibrations((root / "CAMERAS.json").string());
  for (size_t i = 0; i < keys.size(); ++i) {
    const Episode back = read_xwam_episode(root.string(), keys[i], calibrations);
    const Episode& orig = episodes[i];
    EXPECT_EQ(back.instruction, orig.instruction);
    EXPECT_EQ(back.num_frames, orig.num_frames);
    EXPECT_EQ(back.state_mask, orig.state_mask);
    EXPECT_EQ(back.action_mask, orig.action_mask);
    for (size_t k = 0; k < orig.states.size(); ++k) ASSERT_NEAR(back.states[k], orig.states[k], 1e-6) << "state " << k;
    for (size_t k = 0; k < orig.actions.size(); ++k) ASSERT_NEAR(back.actions[k], orig.actions[k], 1e-6) << "action " << k;
    ASSERT_EQ(back.cameras.size(), orig.cameras.size());
    for (size_t c = 0; c < orig.cameras.size(); ++c) {
      const int bc = back.camera_index(orig.cameras[c].name);  // released order is by name
      ASSERT_GE(bc, 0);
      EXPECT_TRUE(back.cameras[bc].calibrated());
      EXPECT_EQ(back.cameras[bc].mount, orig.cameras[c].mount);
      EXPECT_GT(psnr(back.rgb[bc], orig.rgb[c]), 30.0) << orig.cameras[c].name;
      // Depth within its 8-bit quantisation (one step), plus a step of codec rounding.
      const auto m = calibrations.at(orig.cameras[c].name).depth;
      ASSERT_TRUE(m.has_value());
      const double step = (m->far_m - m->near_m) / 255.0;
      size_t within = 0;
      for (size_t p = 0; p < orig.depth[c].size(); ++p) within += std::abs(back.depth[bc][p] - orig.depth[c][p]) <= 2 * step;
      EXPECT_GT(static_cast<double>(within) / orig.depth[c].size(), 0.99) << orig.cameras[c].name;
    }
  }
  const NormStats read_back = read_xwam_statistics((root / "statistics.yaml").string());
  for (int d : {0, 1, 2, 7}) EXPECT_NEAR(read_back.state_q99[d], stats.state_q99[d], 1e-5);
  for (int d : {0, 3, 6}) EXPECT_NEAR(read_back.action_q01[d], stats.action_q01[d], 1e-5);
  EXPECT_THROW(export_xwam_dataset(episodes, stats, root.string()), xwam::Error);  // not empty
  fs::remove_all(root);
}

TEST(XWamDataset, ActionEncodingMatchesAHandComputation) {
  // One arm turning about z by 0.1 rad per step; the gripper opens by 0.04 m at step 3.
  const fs::path root = fresh_dir("hand");
  const int T = 6;
  nlohmann::json p_pos = nlohmann::json::array(), p_rot = nlohmann::json::array(), grip = nlohmann::json::array(),
                 a_pos = nlohmann::json::array(), a_rot = nlohmann::json::array();
  auto rotz = [](double a) {
    return std::vector<double>{std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
  };
  for (int t = 0; t < T; ++t) {
    p_pos.push_back({0.1 * t, 0.0, 0.5});
    p_rot.push_back(rotz(0.1 * t));
    grip.push_back({t >= 4 ? 0.04 : 0.0});
    a_pos.push_back({0.1 * (t + 1), 0.02, 0.5});  // commanded: next position plus a 2 cm y offset
    a_rot.push_back(rotz(0.1 * (t + 1)));
  }
  nlohmann::json ep = {{"num_frames", T},
                       {"instructions", {"turn the knob", "rotate it"}},
                       {"observations", {{"front", {{"type", "static"}, {"rgb_path", "video/front/chunk-0000/episode_0000000.mp4"},
                                                    {"depth_path", "depth/front/chunk-0000/episode_0000000.mp4"},
                                                    {"start", 2}, {"end", 2 + T}, {"fps", 10}}}}},
                       {"proprios", {{"left_ee_pos", p_pos}, {"left_ee_rotm", p_rot}, {"left_gripper_pos", grip}}},
                       {"actions", {{"left_ee_pos", a_pos}, {"left_ee_rotm", a_rot}}}};
  fs::create_directories(root / "data/chunk-0000");
  std::ofstream(root / "data/chunk-0000/episode_0000000.json") << ep.dump();
  write_grey_video(root / "video/front/chunk-0000/episode_0000000.mp4", 16, 16, 2 + T);
  write_grey_video(root / "depth/front/chunk-0000/episode_0000000.mp4", 16, 16, 2 + T);

  // Without a calibration sidecar: imports with the depth kept as 8-bit codes (mapping unknown), no
  // metric depth and no calibration.
  const Episode got = read_xwam_episode(root.string(), "chunk-0000/episode_0000000", {});
  EXPECT_EQ(got.instruction, "turn the knob");
  EXPECT_FALSE(got.cameras[0].has_depth);
  EXPECT_TRUE(got.cameras[0].depth_encoded);
  ASSERT_NE(got.depth_code_frame(0, 0), nullptr);
  EXPECT_NEAR(got.depth_code_frame(0, 0)[0], 100, 1);
  EXPECT_EQ(got.depth_frame(0, 0), nullptr);
  EXPECT_FALSE(got.cameras[0].calibrated());
  for (int t = 0; t < T; ++t) {
    const float* a = got.action(t);
    EXPECT_NEAR(a[0], 0.1, 1e-6);
    EXPECT_NEAR(a[1], 0.02, 1e-6);
    EXPECT_NEAR(a[3], 0.0, 1e-6);
    EXPECT_NEAR(a[4], 0.0, 1e-6);
    EXPECT_NEAR(a[5], 0.1, 1e-6) << "rotation about z by 0.1 rad at step " << t;
    EXPECT_NEAR(a[6], t == 3 ? 0.04 : 0.0, 1e-7) << "gripper delta at step " << t;
    const float* s = got.state(t);
    EXPECT_GE(s[3], 0.f);  // w ≥ 0
    EXPECT_NEAR(s[6], std::sin(0.05 * t), 1e-6);  // quaternion z of a rotation by 0.1·t about z
  }
  EXPECT_EQ(got.state_mask[8], 0);  // no right arm
  EXPECT_EQ(got.action_mask[7], 0);

  // With a sidecar the depth becomes metric.
  CameraCalibrations calib;
  calib["front"].intrinsics = PinholeIntrinsics{20, 20, 8, 8};
  calib["front"].T_world_cam = Eigen::Matrix4d::Identity();
  calib["front"].depth = DepthMapping{DepthMapping::Kind::Linear, 0.5, 3.05, false};
  write_camera_calibrations((root / "CAMERAS.json").string(), calib);
  const Episode metric = read_xwam_episode(root.string(), "chunk-0000/episode_0000000",
                                           read_camera_calibrations((root / "CAMERAS.json").string()));
  ASSERT_TRUE(metric.cameras[0].has_depth);
  EXPECT_FALSE(metric.cameras[0].depth_encoded);
  EXPECT_NEAR(metric.depth_frame(0, 0)[0], 0.5 + 100 / 255.0 * 2.55, 0.02);
  fs::remove_all(root);
}

TEST(XWamDataset, BadInputIsNamed) {
  const fs::path root = fresh_dir("bad");
  fs::create_directories(root / "data/chunk-0000");
  const int T = 5;
  nlohmann::json ep = {{"num_frames", T}, {"instructions", {"x"}},
                       {"observations", {{"cam", {{"type", "static"}, {"rgb_path", "v.mp4"}, {"fps", 10}}}}}};
  std::ofstream(root / "data/chunk-0000/episode_0000000.json") << ep.dump();
  write_grey_video(root / "v.mp4", 16, 16, 3);  // shorter than num_frames
  try {
    read_xwam_episode(root.string(), "chunk-0000/episode_0000000", {});
    FAIL();
  } catch (const xwam::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("v.mp4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("camera cam"), std::string::npos) << msg;
  }
  ep.erase("instructions");
  std::ofstream(root / "data/chunk-0000/episode_0000000.json") << ep.dump();
  try {
    read_xwam_episode(root.string(), "chunk-0000/episode_0000000", {});
    FAIL();
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("instructions"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("episode_0000000.json"), std::string::npos) << e.what();
  }
  std::ofstream(root / "stats.yaml") << "statistics:\n  q01:\n    proprio_left_ee_xyz: [0, 0]\n  q99:\n    proprio_left_ee_xyz: [1, 1]\n";
  EXPECT_THROW(read_xwam_statistics((root / "stats.yaml").string()), xwam::Error);
  std::ofstream(root / "cams.json") << R"({"cameras": {"cam": {"depth": {"encoding": "log", "near_m": 1, "far_m": 2}}}})";
  EXPECT_THROW(read_camera_calibrations((root / "cams.json").string()), xwam::Error);
  EXPECT_THROW(list_xwam_episodes((root / "nowhere").string()), xwam::Error);
  fs::remove_all(root);
}
