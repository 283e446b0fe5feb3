// Model configs that used to kill the programs: zero divisors (SIGFPE), layer counts that build
// networks for minutes, wrong types, FIFOs. Each is refused with an xwam::Error naming the file and
// the key; a checkpoint whose config declares more network than its weights hold is refused before
// anything is built.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/ReleasedCheckpoint.h"

using namespace xwam;
using namespace xwam::model;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = fs::temp_directory_path() / ("xwam_config_" + std::to_string(::getpid()) + "_" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The tiny preset with one JSON patch applied, read as if from "cfg.json".
std::string tiny_with(const std::string& patch) {
  nlohmann::json j = nlohmann::json::parse(XWamConfig::preset("tiny").to_json());
  j.merge_patch(nlohmann::json::parse(patch));
  return error_of([&] { XWamConfig::from_json_text(j.dump(), "cfg.json"); });
}

}  // namespace

TEST(ConfigValidation, ZeroDivisorsAreRefusedByKey) {
  for (const auto& [patch, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"dit": {"num_heads": 0}})", "key dit.num_heads"},
           {R"({"text": {"num_heads": 0}})", "key text.num_heads"},
           {R"({"dit": {"patch": [0, 2, 2]}})", "key dit.patch[0]"},
           {R"({"dit": {"patch": [1, 2, 0]}})", "key dit.patch[2]"},
           {R"({"vae": {"patch": 0}})", "key vae.patch"},
           {R"({"vae": {"dim_mult": []}})", "key vae.dim_mult"},
           {R"({"temporal_compression": 0})", "key temporal_compression"},
           {R"({"latent_height": -4})", "key latent_height"},
           {R"({"dit": {"eps": -1}})", "key dit.eps"},
       }) {
    const std::string e = tiny_with(patch);
    EXPECT_NE(e.find("cfg.json"), std::string::npos) << patch << ": " << e;
    EXPECT_NE(e.find(key), std::string::npos) << patch << ": " << e;
  }
}

TEST(ConfigValidation, SizesAreCapped) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(tiny_with(R"({"dit": {"num_layers": 100000}})").find("key dit.num_layers"), std::string::npos);
  EXPECT_NE(tiny_with(R"({"text": {"num_layers": 100000}})").find("key text.num_layers"), std::string::npos);
  EXPECT_NE(tiny_with(R"({"dit": {"dim": 65536, "ffn_dim": 262144, "num_heads": 512, "num_layers": 512},
                          "depth_layers": 1})").find("parameters"), std::string::npos);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
}

TEST(ConfigValidation, WrongTypesAndShapesNameTheKey) {
  std::string e = tiny_with(R"({"dit": {"num_heads": "four"}})");
  EXPECT_NE(e.find("key dit.num_heads"), std::string::npos) << e;
  EXPECT_NE(e.find("expected a number, found string"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text(R"({"base": 3})", "cfg.json"); });
  EXPECT_NE(e.find("cfg.json: key base"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text(R"({"base": "huge"})", "cfg.json"); });
  EXPECT_NE(e.find("cfg.json: key base"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text("[1, 2]", "cfg.json"); });
  EXPECT_NE(e.find("cfg.json: expected a JSON object"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text(std::string(100000, '[') + std::string(100000, ']'), "cfg.json"); });
  EXPECT_NE(e.find("cfg.json: JSON nests deeper"), std::string::npos) << e;
}

TEST(ConfigValidation, CheckpointAndTrainingConfigsGiveTheirModel) {
  // A checkpoint's config.json (model object beside cameras and norm_stats) and a training config
  // (a preset name or a model object with overrides) give their network, not the 5B defaults.
  const XWamConfig wide = XWamConfig::from_json_text(
      R"({"model": {"base": "demo", "latent_height": 12, "dit": {"patch": [1, 4, 4]}}, "cameras": ["main"]})", "ckpt.json");
  EXPECT_EQ(wide.latent_height, 12);
  EXPECT_EQ(wide.dit.patch, (std::array<int, 3>{1, 4, 4}));
  EXPECT_EQ(wide.dit.dim, XWamConfig::preset("demo").dit.dim);
  EXPECT_EQ(XWamConfig::from_json_text(R"({"name": "t", "model": "tiny"})", "train.json").to_json(),
            XWamConfig::preset("tiny").to_json());
  std::string e = error_of([] { XWamConfig::from_json_text(R"({"model": "huge"})", "train.json"); });
  EXPECT_NE(e.find("train.json: key model"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text(R"({"model": {"dit": {"dim": "wide"}}})", "ckpt.json"); });
  EXPECT_NE(e.find("ckpt.json (model): key dit.dim"), std::string::npos) << e;
  e = error_of([] { XWamConfig::from_json_text(R"({"model": 3})", "ckpt.json"); });
  EXPECT_NE(e.find("ckpt.json: key model"), std::string::npos) << e;
}

TEST(ConfigValidation, PresetsValidateAndTheirParameterBoundHolds) {
  for (const char* name : {"tiny", "demo"}) {
    const XWamConfig c = XWamConfig::preset(name);
    EXPECT_NO_THROW(c.validate()) << name;
    torch::manual_seed(1);
    const XWamNetworks nets = make_networks(c);
    int64_t actual = 0;
    for (const auto& [n, t] : nets.state()) actual += t.numel();
    EXPECT_LE(c.min_parameter_count(), actual) << name;
    EXPECT_GT(c.min_parameter_count(), actual / 4) << name;  // a bound that means something
  }
  EXPECT_NO_THROW(XWamConfig::preset("wan2.2-ti2v-5b").validate());
}

TEST(ConfigValidation, ConfigDeclaringMoreThanTheWeightsHoldIsRefusedBeforeBuilding) {
  const auto dir = temp_dir() / "ckpt";
  const XWamConfig c = XWamConfig::preset("tiny");
  torch::manual_seed(2);
  write_checkpoint(dir.string(), c, make_networks(c).state());
  nlohmann::json j;
  std::ifstream(dir / "config.json") >> j;
  j["model"]["dit"]["num_layers"] = 500;  // in range, but the weights hold 3 blocks
  std::ofstream(dir / "config.json") << j.dump();
  const auto start = std::chrono::steady_clock::now();
  const std::string e = error_of([&] { load_networks(read_checkpoint(dir.string())); });
  EXPECT_NE(e.find(dir.string()), std::string::npos) << e;
  EXPECT_NE(e.find("dit.num_layers 500"), std::string::npos) << e;
  EXPECT_NE(e.find("config and weights disagree"), std::string::npos) << e;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(ConfigValidation, ZeroStridesInAReleasedYamlAreRefused) {
  const auto yaml = temp_dir() / "config.yaml";
  std::ofstream(yaml) << "vae_stride: (0, 16, 16)\nframe_num: 9\n";
  const std::string e = error_of([&] { config_from_released_yaml(yaml.string(), XWamConfig::preset("tiny")); });
  EXPECT_NE(e.find(yaml.string() + ": key vae_stride"), std::string::npos) << e;
  std::ofstream(yaml) << "- just\n- a list\n";
  EXPECT_NE(error_of([&] { config_from_released_yaml(yaml.string(), XWamConfig::preset("tiny")); }).find("mapping"),
            std::string::npos);
}

TEST(ConfigValidation, FifoConfigIsRefusedWithoutBlocking) {
  const auto fifo = temp_dir() / "config.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string e = error_of([&] { XWamConfig::from_json_file(fifo.string()); });
  EXPECT_NE(e.find(fifo.string()), std::string::npos) << e;
  EXPECT_NE(e.find("FIFO"), std::string::npos) << e;
}
