// The effective config (config file + overrides, errors naming file and key), the `xwam train`
// arguments of a job, and prepare_run writing the config into the run directory.
#include "engine/jobs/TrainJobSpec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "engine/core/Error.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
using xwam::testing::TempDir;
namespace fs = std::filesystem;

namespace {
std::string error_of(const jobs::TrainJobSpec& spec) {
  try {
    jobs::effective_config(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(EffectiveConfig, WritesOverridesUnderTrainAndKeepsEverythingElse) {
  TempDir tmp;
  jobs::TrainJobSpec spec;
  spec.config_file = tmp.file("c.json", R"({"name": "n", "model": "tiny", "task": {"kind": "xwam"},
                                            "train": {"steps": 4, "lr": 0.1, "batch_size": 2, "seed": 7}})");
  spec.steps = 12;
  spec.lr = 3e-5;
  const nlohmann::json c = jobs::effective_config(spec);
  EXPECT_EQ(c["train"]["steps"], 12);
  EXPECT_DOUBLE_EQ(c["train"]["lr"].get<double>(), 3e-5);
  EXPECT_EQ(c["train"]["batch_size"], 2);  // no override: the file's value
  EXPECT_EQ(c["train"]["seed"], 7);
  EXPECT_EQ(c["model"], "tiny");
  EXPECT_EQ(c["task"]["kind"], "xwam");
  EXPECT_FALSE(c.contains("steps"));  // not duplicated at the top level
}

TEST(EffectiveConfig, TopLevelLayoutGetsOverridesAtTheTopLevel) {
  TempDir tmp;
  jobs::TrainJobSpec spec;
  spec.config_file = tmp.file("c.json", R"({"steps": 4, "lr": 0.1})");
  spec.batch_size = 8;
  const nlohmann::json c = jobs::effective_config(spec);
  EXPECT_EQ(c["batch_size"], 8);
  EXPECT_EQ(c["steps"], 4);
  EXPECT_FALSE(c.contains("train"));
  // The text form is the object, indented, ending with a newline.
  const std::string text = jobs::effective_config_text(spec);
  EXPECT_EQ(nlohmann::json::parse(text), c);
  EXPECT_EQ(text.back(), '\n');
}

TEST(EffectiveConfig, ErrorsNameTheFileAndTheKey) {
  TempDir tmp;
  jobs::TrainJobSpec spec;
  EXPECT_NE(error_of(spec).find("choose a training config"), std::string::npos) << error_of(spec);
  spec.config_file = tmp / "missing.json";
  EXPECT_NE(error_of(spec).find(spec.config_file), std::string::npos) << error_of(spec);
  spec.config_file = tmp.file("bad.json", "{\"train\": ");
  EXPECT_NE(error_of(spec).find("bad.json: not valid JSON"), std::string::npos) << error_of(spec);
  spec.config_file = tmp.file("array.json", "[1, 2]");
  EXPECT_NE(error_of(spec).find("array.json: not a JSON object"), std::string::npos) << error_of(spec);
  spec.config_file = tmp.file("train.json", R"({"train": 3})");
  EXPECT_NE(error_of(spec).find("train.json: key train: expected an object"), std::string::npos) << error_of(spec);
  spec.config_file = tmp.file("ok.json", R"({"train": {}})");
  spec.steps = 0;
  EXPECT_NE(error_of(spec).find("steps: must lie in [1,"), std::string::npos) << error_of(spec);
  spec.steps = 5;
  spec.lr = -1;
  EXPECT_NE(error_of(spec).find("lr: must lie in"), std::string::npos) << error_of(spec);
  spec.lr = std::nan("");
  EXPECT_NE(error_of(spec).find("lr: must lie in"), std::string::npos) << error_of(spec);
  spec.lr = 1e-4;
  spec.batch_size = 1 << 20;
  EXPECT_NE(error_of(spec).find("batch_size: must lie in"), std::string::npos) << error_of(spec);
  spec.batch_size = 2;
  EXPECT_EQ(error_of(spec), "");
}

TEST(TrainArguments, InitWithWanDirOrResumeAndAbsolutePaths) {
  jobs::TrainJobSpec spec;
  spec.episode_files = {"/data/a.h5", "rel/b.h5"};
  spec.run_dir = "runs/r1";
  spec.init_checkpoint = "/ckpt";
  spec.wan_dir = "/wan";
  spec.extra_args = {"--threads", "2"};
  const std::string cwd = fs::current_path().string();
  const std::vector<std::string> expected{"train", "--config", "/r/cfg.json", "--data", "/data/a.h5", cwd + "/rel/b.h5",
                                          "--out", cwd + "/runs/r1", "--init", "/ckpt", "--wan-dir", "/wan",
                                          "--threads", "2"};
  EXPECT_EQ(jobs::train_arguments(spec, "/r/cfg.json"), expected);
  // Resume continues the run's own checkpoint: no --init, no --wan-dir.
  spec.resume = true;
  const auto resumed = jobs::train_arguments(spec, "/r/cfg.json");
  EXPECT_NE(std::find(resumed.begin(), resumed.end(), "--resume"), resumed.end());
  EXPECT_EQ(std::find(resumed.begin(), resumed.end(), "--init"), resumed.end());
  EXPECT_EQ(std::find(resumed.begin(), resumed.end(), "--wan-dir"), resumed.end());
  // A Wan dir alone (no --init) is not passed.
  spec.resume = false;
  spec.init_checkpoint.clear();
  const auto fresh = jobs::train_arguments(spec, "/r/cfg.json");
  EXPECT_EQ(std::find(fresh.begin(), fresh.end(), "--wan-dir"), fresh.end());
}

TEST(PrepareRun, WritesTheEffectiveConfigIntoTheRunDirectory) {
  TempDir tmp;
  jobs::TrainJobSpec spec;
  spec.program = "/bin/sh";
  spec.config_file = tmp.file("c.json", R"({"train": {"steps": 4}})");
  spec.steps = 9;
  auto error = [&] {
    try {
      jobs::prepare_run(spec);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error().find("add at least one episode file"), std::string::npos) << error();
  spec.episode_files = {tmp / "a.h5"};
  EXPECT_NE(error().find("choose a run directory"), std::string::npos) << error();
  spec.run_dir = tmp / "run/nested";
  spec.program = tmp / "no-xwam";
  EXPECT_NE(error().find(spec.program + ": no executable xwam program"), std::string::npos) << error();
  EXPECT_FALSE(fs::exists(spec.run_dir));  // nothing created for a job that cannot start
  spec.program = "/bin/sh";
  const std::string path = jobs::prepare_run(spec);
  EXPECT_EQ(path, (fs::path(spec.run_dir) / jobs::kJobConfigName).string());
  EXPECT_EQ(nlohmann::json::parse(xwam::testing::read_text(path))["train"]["steps"], 9);
}
