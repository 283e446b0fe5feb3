// A training job as a script to run elsewhere: a shell script for this machine, or a Slurm batch
// script (one task per GPU, srun, torchrun-style RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT). Both
// create the run directory, embed the effective config there and run `xwam train` on it.
#pragma once
#include <string>

#include "engine/core/OutputDir.h"
#include "engine/jobs/TrainJobSpec.h"

namespace xwam::jobs {

enum class ScriptKind { Shell, Slurm };

// "sh" → Shell, "slurm" → Slurm; throws xwam::Error naming `option` otherwise.
ScriptKind parse_script_kind(const std::string& name, const std::string& option = "--write-script");

// The script text. Paths are absolute (a Slurm job starts elsewhere); the shell script passes its own
// arguments on to `xwam train`; the Slurm one adds `--device cuda` unless extra_args choose a device.
// Throws what effective_config throws.
std::string job_script(const TrainJobSpec& spec, ScriptKind kind);

// Writes `text` to `path` atomically and makes it executable. An existing file is refused (xwam::Error
// naming it) unless options.force; a folder always is.
void write_job_script(const std::string& path, const std::string& text, const OutputOptions& options = {});

}  // namespace xwam::jobs
