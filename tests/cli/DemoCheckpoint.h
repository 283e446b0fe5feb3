// The shipped demo checkpoint and scene, and the sizes of its outputs read from its own config.json
// (so the end-to-end tests follow the checkpoint instead of repeating its numbers).
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xwam::testing {

const std::string kDemoCheckpoint = std::string(XWAM_SOURCE_DIR) + "/assets/checkpoints/demo";
const std::string kDemoScene = std::string(XWAM_SOURCE_DIR) + "/assets/scenes/default.h5";
// Few denoising steps and threads: each run stays short on a 2-core machine.
const std::string kFastSampling = " --steps-action 2 --steps-video 2 --threads 2";

struct DemoSizes {
  std::vector<std::string> cameras;
  int predicted_frames = 0;   // video frames after the condition: (latent_frames − 1) · temporal compression
  int actions = 0;            // the action chunk
  int steps_per_frame = 0;    // episode control steps between predicted frames
  int width = 0, height = 0;  // predicted image size: latent grid × the VAE's 2^(levels − 1) · patch
  double depth_near_m = 0, depth_far_m = 0;
};

inline DemoSizes demo_sizes() {
  std::ifstream in(kDemoCheckpoint + "/config.json");
  const nlohmann::json config = nlohmann::json::parse(in);
  const nlohmann::json& m = config.at("model");
  DemoSizes s;
  s.cameras = config.at("cameras").get<std::vector<std::string>>();
  s.predicted_frames = (m.at("latent_frames").get<int>() - 1) * m.at("temporal_compression").get<int>();
  s.actions = m.at("num_actions");
  s.steps_per_frame = m.at("actions_per_frame");
  const int compression = m.at("vae").at("patch").get<int>() << (m.at("vae").at("dim_mult").size() - 1);
  s.width = m.at("latent_width").get<int>() * compression;
  s.height = m.at("latent_height").get<int>() * compression;
  s.depth_near_m = m.at("depth_near_m");
  s.depth_far_m = m.at("depth_far_m");
  return s;
}

// A fresh folder named after the running test.
inline std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("xwam_e2e_" + std::to_string(::getpid()) + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace xwam::testing
