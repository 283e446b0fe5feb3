// `xwam train --init` from a checkpoint trained with task.normalize_latents: the DiT was trained on
// latents scaled by that checkpoint's statistics, so a fine-tune keeps them instead of re-estimating
// them on the new episodes (which would shift every latent the DiT sees).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/cli/CliRunner.h"
#include "tests/jobs/TempDir.h"

using xwam::testing::read_text;
using xwam::testing::run_xwam;
namespace fs = std::filesystem;

namespace {
nlohmann::json vae_config(const std::string& run, const std::string& step) {
  return nlohmann::json::parse(read_text(run + "/checkpoints/" + step + "/weights/config.json"))["model"]["vae"];
}
}  // namespace

TEST(TrainInit, NormalizedCheckpointKeepsItsLatentStatistics) {
  xwam::testing::TempDir tmp;
  auto r = run_xwam("generate --episodes 1 --seed 2 --frames 24 --width 32 --height 32 --out " + tmp / "a.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_xwam("generate --episodes 1 --seed 9 --frames 24 --width 32 --height 32 --out " + tmp / "b.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string config = tmp.file("n.json", R"({"name": "n", "model": "tiny",
    "task": {"kind": "xwam", "normalize_latents": true},
    "train": {"steps": 1, "batch_size": 1, "checkpoint_every": 1, "log_every": 1, "warmup_steps": 1}})");

  r = run_xwam("train --config " + config + " --data " + tmp / "a.h5" + " --out " + tmp / "first" + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("latent statistics from"), std::string::npos) << r.err;
  const auto first = vae_config(tmp / "first", "step_00000001");
  ASSERT_EQ(first["latent_mean"].size(), first["z_dim"].get<size_t>());

  // Other episodes: estimating again would give other statistics; the run keeps the checkpoint's.
  r = run_xwam("train --config " + config + " --data " + tmp / "b.h5" + " --out " + tmp / "second" +
               " --init " + tmp / "first" + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("latent statistics taken from"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("latent statistics from"), std::string::npos) << r.err;
  // Same architecture: the statistics the checkpoint carries are no reason to call its config different.
  EXPECT_EQ(r.err.find("differs from the run's"), std::string::npos) << r.err;
  const auto second = vae_config(tmp / "second", "step_00000001");
  EXPECT_EQ(second["latent_mean"], first["latent_mean"]);
  EXPECT_EQ(second["latent_std"], first["latent_std"]);

  // Estimated on b.h5 from scratch, the statistics differ: the test above can tell the two apart.
  r = run_xwam("train --config " + config + " --data " + tmp / "b.h5" + " --out " + tmp / "third" + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(vae_config(tmp / "third", "step_00000001")["latent_mean"], first["latent_mean"]);
}
