// The shell and Slurm scripts of a job, checked against their whole expected text, and writing them:
// atomic, executable, an existing file refused unless forced.
#include "engine/jobs/JobScript.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
using xwam::testing::read_text;
using xwam::testing::TempDir;
namespace fs = std::filesystem;

namespace {
jobs::TrainJobSpec example_job(const TempDir& tmp) {
  jobs::TrainJobSpec spec;
  spec.program = "/opt/x wam/bin/xwam";
  spec.episode_files = {"/data/it's.h5", "/data/b.h5"};
  spec.init_checkpoint = "/ckpt/base";
  spec.wan_dir = "/models/Wan2.2";
  spec.config_file = tmp.file("c.json", R"({"model": "tiny", "train": {"steps": 4, "lr": 0.5}})");
  spec.steps = 10;
  spec.run_dir = "/runs/ft 1";
  return spec;
}

const char* kConfigBlock =
    "RUNDIR='/runs/ft 1'\n"
    "mkdir -p \"$RUNDIR\"\n"
    "cat > \"$RUNDIR/studio-config.json\" <<'JSON'\n"
    "{\n"
    "  \"model\": \"tiny\",\n"
    "  \"train\": {\n"
    "    \"lr\": 0.5,\n"
    "    \"steps\": 10\n"
    "  }\n"
    "}\n"
    "JSON\n";
const char* kCommand =
    "'/opt/x wam/bin/xwam' train --config \"$RUNDIR/studio-config.json\" --data '/data/it'\\''s.h5' '/data/b.h5' "
    "--out \"$RUNDIR\" --init '/ckpt/base' --wan-dir '/models/Wan2.2'";
}  // namespace

TEST(JobScript, ShellScriptText) {
  TempDir tmp;
  const std::string expected = std::string("#!/bin/bash\n"
      "# Fine-tune X-WAM: a training job of X-WAM Studio (or `xwam train --write-script`) as a command line.\n"
      "set -euo pipefail\n") + kConfigBlock + kCommand + " \"$@\"\n";
  EXPECT_EQ(jobs::job_script(example_job(tmp), jobs::ScriptKind::Shell), expected);
}

TEST(JobScript, SlurmScriptText) {
  TempDir tmp;
  const std::string expected = std::string("#!/bin/bash\n"
      "# Fine-tune X-WAM on a Slurm cluster: one task per GPU, data-parallel over c10d (NCCL).\n"
      "#SBATCH --job-name=xwam-finetune\n"
      "#SBATCH --nodes=1\n"
      "#SBATCH --ntasks-per-node=8\n"
      "#SBATCH --gpus-per-node=8\n"
      "#SBATCH --cpus-per-task=8\n"
      "#SBATCH --time=24:00:00\n"
      "#SBATCH --output=%x-%j.out\n"
      "set -euo pipefail\n") + kConfigBlock +
      "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n"
      "export MASTER_PORT=${MASTER_PORT:-29500}\n"
      "export WORLD_SIZE=$SLURM_NTASKS\n"
      "srun bash -c 'export RANK=$SLURM_PROCID LOCAL_RANK=$SLURM_LOCALID; exec \"$0\" \"$@\"' \\\n  " +
      kCommand + " --device cuda\n";
  EXPECT_EQ(jobs::job_script(example_job(tmp), jobs::ScriptKind::Slurm), expected);
}

TEST(JobScript, ResumeAndExtraArguments) {
  TempDir tmp;
  jobs::TrainJobSpec spec = example_job(tmp);
  spec.resume = true;
  spec.extra_args = {"--device", "cpu", "--threads", "4"};
  const std::string slurm = jobs::job_script(spec, jobs::ScriptKind::Slurm);
  EXPECT_NE(slurm.find("--out \"$RUNDIR\" --resume --device cpu --threads 4\n"), std::string::npos) << slurm;
  EXPECT_EQ(slurm.find("--init"), std::string::npos);
  EXPECT_EQ(slurm.find("--device cuda"), std::string::npos);  // the job's own device choice wins
}

TEST(JobScript, ShellScriptRunsAndEmbedsTheConfig) {
  // The script as bash runs it, with a stand-in program that records its arguments.
  TempDir tmp;
  jobs::TrainJobSpec spec = example_job(tmp);
  spec.program = tmp.file("fake-xwam", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args.txt\"\n");
  fs::permissions(spec.program, fs::perms::owner_all);
  spec.run_dir = tmp / "run dir";
  const std::string script = tmp / "job.sh";
  jobs::write_job_script(script, jobs::job_script(spec, jobs::ScriptKind::Shell));
  ASSERT_EQ(std::system(("'" + script + "' --threads 3").c_str()), 0);
  EXPECT_EQ(read_text(tmp / "args.txt"),
            "train\n--config\n" + tmp / "run dir/studio-config.json" + "\n--data\n/data/it's.h5\n/data/b.h5\n--out\n" +
                tmp / "run dir" + "\n--init\n/ckpt/base\n--wan-dir\n/models/Wan2.2\n--threads\n3\n");
  EXPECT_EQ(nlohmann::json::parse(read_text(tmp / "run dir/studio-config.json"))["train"]["steps"], 10);
}

TEST(JobScript, ParseKind) {
  EXPECT_EQ(jobs::parse_script_kind("sh"), jobs::ScriptKind::Shell);
  EXPECT_EQ(jobs::parse_script_kind("slurm"), jobs::ScriptKind::Slurm);
  try {
    jobs::parse_script_kind("pbs");
    FAIL() << "pbs accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--write-script: expected sh or slurm, found 'pbs'"), std::string::npos) << e.what();
  }
}

TEST(WriteJobScript, ExecutableAndNeverOverwritesUnlessForced) {
  TempDir tmp;
  const std::string path = tmp.file("job.sh", "my notes\n");
  try {
    jobs::write_job_script(path, "#!/bin/sh\n");
    FAIL() << "an existing file was replaced";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": exists"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_text(path), "my notes\n");
  jobs::write_job_script(path, "#!/bin/sh\n", OutputOptions{true});
  EXPECT_EQ(read_text(path), "#!/bin/sh\n");
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  // A folder is refused even when forced; no temporary is left beside the target.
  fs::create_directories(tmp / "dir");
  EXPECT_THROW(jobs::write_job_script(tmp / "dir", "x", OutputOptions{true}), Error);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(tmp.path)) entries += e.path().filename() != "dir";
  EXPECT_EQ(entries, 1);  // job.sh only
}
