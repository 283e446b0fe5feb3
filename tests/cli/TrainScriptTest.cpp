// `xwam train --write-script`: the CLI twin of the fine-tune dialog's "Write command line / Slurm
// script". The file it writes is the script engine/jobs makes for the same job (the dialog's), it trains
// nothing, and an existing file is replaced only with --force.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "engine/jobs/JobScript.h"
#include "tests/cli/CliRunner.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
using xwam::testing::read_text;
using xwam::testing::run_xwam;
namespace fs = std::filesystem;

namespace {
const std::string kTinyConfig = XWAM_SOURCE_DIR "/assets/configs/tiny-train.json";

jobs::TrainJobSpec job(const xwam::testing::TempDir& tmp) {
  jobs::TrainJobSpec spec;
  spec.program = fs::canonical(XWAM_CLI).string();
  spec.episode_files = {tmp / "a.h5", tmp / "b.h5"};
  spec.config_file = kTinyConfig;
  spec.steps = 25;
  spec.lr = 3e-5;
  spec.batch_size = 2;
  spec.run_dir = tmp / "run";
  spec.init_checkpoint = tmp / "ckpt";
  spec.wan_dir = tmp / "wan";
  return spec;
}

std::string options(const xwam::testing::TempDir& tmp) {
  return " --config " + kTinyConfig + " --data " + tmp / "a.h5" + " " + tmp / "b.h5" + " --out " + tmp / "run" +
         " --init " + tmp / "ckpt" + " --wan-dir " + tmp / "wan" + " --steps 25 --lr 3e-5 --batch-size 2";
}
}  // namespace

TEST(TrainWriteScript, WritesTheJobsShellAndSlurmScripts) {
  xwam::testing::TempDir tmp;
  auto r = run_xwam("train --write-script sh " + tmp / "job.sh" + options(tmp));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(tmp / "job.sh"), jobs::job_script(job(tmp), jobs::ScriptKind::Shell));
  struct stat st{};
  ASSERT_EQ(::stat((tmp / "job.sh").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  // Nothing is trained and the run directory is not made: the script does that where it runs.
  EXPECT_FALSE(fs::exists(tmp / "run"));

  r = run_xwam("train --write-script slurm " + tmp / "job.sbatch" + options(tmp) + " --threads 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  jobs::TrainJobSpec with_threads = job(tmp);
  with_threads.extra_args = {"--threads", "4"};
  const std::string slurm = read_text(tmp / "job.sbatch");
  EXPECT_EQ(slurm, jobs::job_script(with_threads, jobs::ScriptKind::Slurm));
  EXPECT_NE(slurm.find("\"steps\": 25"), std::string::npos) << slurm;
  EXPECT_NE(slurm.find("--threads 4 --device cuda\n"), std::string::npos) << slurm;
}

TEST(TrainWriteScript, NeverOverwritesWithoutForceAndNamesBadInput) {
  xwam::testing::TempDir tmp;
  const std::string out = tmp.file("job.sh", "mine\n");
  auto r = run_xwam("train --write-script sh " + out + options(tmp));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(out + ": exists"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(out), "mine\n");
  r = run_xwam("train --write-script sh " + out + options(tmp) + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(out), jobs::job_script(job(tmp), jobs::ScriptKind::Shell));

  r = run_xwam("train --write-script pbs " + tmp / "x" + options(tmp));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected sh or slurm, found 'pbs'"), std::string::npos) << r.err;
  std::string zero_steps = options(tmp);
  zero_steps.replace(zero_steps.find("--steps 25"), 10, "--steps 0");
  r = run_xwam("train --write-script sh " + tmp / "x" + zero_steps);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("steps: must lie in"), std::string::npos) << r.err;
  r = run_xwam("train --write-script sh " + tmp / "x" + options(tmp) + " --bogus 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "x"));
}

TEST(TrainOverrides, LrAndBatchSizeReachTheRun) {
  // A real (tiny, 1-step) run: the run's config.json records the overrides.
  xwam::testing::TempDir tmp;
  auto r = run_xwam("generate --episodes 1 --seed 2 --frames 24 --width 32 --height 32 --out " + tmp / "s.h5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_xwam("train --config " + kTinyConfig + " --data " + tmp / "s.h5" + " --out " + tmp / "run" +
               " --steps 1 --lr 0.00025 --batch-size 2 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto config = nlohmann::json::parse(read_text(tmp / "run/config.json"));
  EXPECT_EQ(config["steps"], 1);
  EXPECT_DOUBLE_EQ(config["lr"].get<double>(), 0.00025);
  EXPECT_EQ(config["batch_size"], 2);
  r = run_xwam("train --config " + kTinyConfig + " --data " + tmp / "s.h5" + " --out " + tmp / "run2" + " --lr -1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("lr: must lie in"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "run2"));
}
