// A run in the released trainer's layout (umT5 text encoder, no tokenizer inside) through every `xwam`
// command that takes a checkpoint, with nothing but the run and the Wan2.2 folder (--wan-dir): no
// --config. Without the folder each command fails naming the yaml, its keys and the way out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "engine/model/Checkpoint.h"
#include "tests/cli/CliRunner.h"

using namespace xwam;
using xwam::testing::run_xwam;
namespace fs = std::filesystem;

namespace {

// The fixture's run, its Wan2.2 folder and a generated scene at the run's image size (two cameras,
// main and side, 32 × 32), made once for the whole binary.
struct ReleasedWorld {
  fs::path dir, run, wan, scene;
  bool ok = false;
  ReleasedWorld() {
    dir = fs::temp_directory_path() / ("xwam_released_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    run = dir / "run";
    wan = dir / "wan";
    scene = dir / "scene.h5";
    const std::string fixture = std::string(XWAM_RELEASED_RUN_FIXTURE) + " " + dir.string();
    ok = std::system(fixture.c_str()) == 0 &&
         run_xwam("generate --episodes 1 --seed 3 --frames 24 --width 32 --height 32 --out " + scene.string()).exit_code == 0;
  }
  ~ReleasedWorld() { fs::remove_all(dir); }
};

const ReleasedWorld& world() {
  static ReleasedWorld w;
  return w;
}

void expect_names_the_missing_tokenizer(const xwam::testing::CliResult& r) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find((world().run / "config.yaml").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("t5_tokenizer google/umt5-xxl"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spiece.model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--wan-dir"), std::string::npos) << r.err;
}

}  // namespace

TEST(ReleasedRun, ConvertVerifyNeedsNoConfig) {
  ASSERT_TRUE(world().ok) << "fixture or xwam generate failed";
  const fs::path out = world().dir / "converted";
  auto r = run_xwam("convert --in " + world().run.string() + " --out " + out.string() + " --verify");
  expect_names_the_missing_tokenizer(r);
  EXPECT_FALSE(fs::exists(out));

  r = run_xwam("convert --in " + world().run.string() + " --out " + out.string() + " --verify --wan-dir " +
               world().wan.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("with norm_stats"), std::string::npos) << r.out;
  const model::CheckpointData ckpt = model::read_checkpoint(out.string());
  EXPECT_EQ(ckpt.config.text.kind, "umt5-xxl");
  EXPECT_EQ(ckpt.config.text.tokenizer, (world().wan / "google/umt5-xxl/spiece.model").string());
  EXPECT_TRUE(ckpt.config.text.keeps_padding_rows());
  EXPECT_EQ(ckpt.config.dit.dim, 128);  // from the weights, not the 5B preset
  EXPECT_EQ(ckpt.config.vae.dim_mult, (std::vector<int>{1, 2, 2}));
}

TEST(ReleasedRun, RolloutAndEvaluateLoadIt) {
  ASSERT_TRUE(world().ok) << "fixture or xwam generate failed";
  const std::string steps = " --steps-action 2 --steps-video 3";
  const fs::path out = world().dir / "rollout";
  const std::string rollout = "rollout --checkpoint " + world().run.string() + " --scene " + world().scene.string() +
                              ":0 --out " + out.string() + steps;
  expect_names_the_missing_tokenizer(run_xwam(rollout));
  auto r = run_xwam(rollout + " --wan-dir " + world().wan.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_NE(summary.at("checkpoint").get<std::string>().find("100.ckpt"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  EXPECT_TRUE(fs::exists(out / "actions.csv"));
  // The umT5 contexts went to disk next to the weights; a second run reads them and predicts the same.
  int cached = 0;
  for (const auto& entry : fs::recursive_directory_iterator(world().run))
    if (entry.path().parent_path().filename() == "text-contexts" && entry.path().extension() == ".safetensors") ++cached;
  EXPECT_EQ(cached, 1);  // the instruction; guidance is off, so no empty prompt
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string first_actions = read(out / "actions.csv");
  const fs::path again = world().dir / "rollout-again";
  r = run_xwam("rollout --checkpoint " + world().run.string() + " --scene " + world().scene.string() + ":0 --out " +
               again.string() + steps + " --wan-dir " + world().wan.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(again / "actions.csv"), first_actions);

  const std::string evaluate = "evaluate --checkpoint " + world().run.string() + " --scene " + world().scene.string() +
                               " --modes xwam --starts 0 --closed-loop 0" + steps;
  expect_names_the_missing_tokenizer(run_xwam(evaluate));
  r = run_xwam(evaluate + " --wan-dir " + world().wan.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("modes").at("xwam").at("open_loop").at("rollouts").get<int>(), 1) << r.out;
}
