#include "engine/jobs/JobScript.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace xwam::jobs {
namespace fs = std::filesystem;

namespace {
// Single-quoted for a POSIX shell.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Options and the subcommand stay readable; everything else (paths, values) is quoted.
bool is_plain_word(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

std::string absolute(const std::string& path) { return path.empty() ? path : fs::absolute(path).lexically_normal().string(); }

// The part both scripts share: the run directory with the effective config embedded, and the command.
struct ScriptParts {
  std::string prelude, command;
};

ScriptParts script_parts(const TrainJobSpec& spec) {
  ScriptParts parts;
  const std::string dir = spec.run_dir.empty() ? std::string("xwam-run") : absolute(spec.run_dir);
  parts.prelude = "RUNDIR=" + shell_quote(dir) + "\n" +
                  "mkdir -p \"$RUNDIR\"\n"
                  "cat > \"$RUNDIR/" + kJobConfigName + "\" <<'JSON'\n" + effective_config_text(spec) + "JSON\n";
  // The argument list of a launch, with the config and run directory taken from the script's variable.
  std::vector<std::string> args = train_arguments(spec, "@CONFIG@");
  std::string command = shell_quote(spec.program);
  for (size_t i = 0; i < args.size(); ++i) {
    const bool run_dir_value = i > 0 && args[i - 1] == "--out";
    if (args[i] == "@CONFIG@") command += std::string(" \"$RUNDIR/") + kJobConfigName + "\"";
    else if (run_dir_value) command += " \"$RUNDIR\"";
    else if (is_plain_word(args[i])) command += " " + args[i];
    else command += " " + shell_quote(args[i]);
  }
  parts.command = command;
  return parts;
}
}  // namespace

ScriptKind parse_script_kind(const std::string& name, const std::string& option) {
  if (name == "sh") return ScriptKind::Shell;
  if (name == "slurm") return ScriptKind::Slurm;
  throw Error(option, "expected sh or slurm, found '" + name + "'");
}

std::string job_script(const TrainJobSpec& spec, ScriptKind kind) {
  const ScriptParts parts = script_parts(spec);
  if (kind == ScriptKind::Shell) {
    return "#!/bin/bash\n"
           "# Fine-tune X-WAM: a training job of X-WAM Studio (or `xwam train --write-script`) as a command line.\n"
           "set -euo pipefail\n" +
           parts.prelude + parts.command + " \"$@\"\n";
  }
  const bool has_device = std::find(spec.extra_args.begin(), spec.extra_args.end(), "--device") != spec.extra_args.end();
  // One task per GPU; each task takes its torchrun-style rank from Slurm's numbering.
  return "#!/bin/bash\n"
         "# Fine-tune X-WAM on a Slurm cluster: one task per GPU, data-parallel over c10d (NCCL).\n"
         "#SBATCH --job-name=xwam-finetune\n"
         "#SBATCH --nodes=1\n"
         "#SBATCH --ntasks-per-node=8\n"
         "#SBATCH --gpus-per-node=8\n"
         "#SBATCH --cpus-per-task=8\n"
         "#SBATCH --time=24:00:00\n"
         "#SBATCH --output=%x-%j.out\n"
         "set -euo pipefail\n" +
         parts.prelude +
         "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n"
         "export MASTER_PORT=${MASTER_PORT:-29500}\n"
         "export WORLD_SIZE=$SLURM_NTASKS\n"
         "srun bash -c 'export RANK=$SLURM_PROCID LOCAL_RANK=$SLURM_LOCALID; exec \"$0\" \"$@\"' \\\n  " +
         parts.command + (has_device ? "" : " --device cuda") + "\n";
}

void write_job_script(const std::string& path, const std::string& text, const OutputOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(path, "is a folder; give a file name for the script");
  if (fs::exists(fs::symlink_status(path, ec)) && !options.force)
    throw Error(path, options.force_hint.empty() ? "exists; choose another file name"
                                                 : "exists; choose another file name, or pass --force to replace it");
  AtomicFile out(path);
  {
    std::ofstream file(out.temp_path(), std::ios::binary);
    file << text;
    if (!file.flush()) throw Error(path, "cannot write the script");
  }
  if (::chmod(out.temp_path().c_str(), 0755) != 0) throw Error(path, "cannot make the script executable");
  out.commit();
}

}  // namespace xwam::jobs
