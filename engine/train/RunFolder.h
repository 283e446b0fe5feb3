// The folder a training run lives in. It grows in place (checkpoints, logs), so it is claimed, not
// swapped in whole like other outputs.
#pragma once
#include <string>

#include "engine/core/OutputDir.h"

namespace xwam::train {

// Claims `dir` for a run before anything is written there:
//   absent, or holding none of the names a run writes (config.json, progress.jsonl, checkpoints) → marked
//   as a run (a user's other files there stay untouched);
//   a run xwam marked → continued with `resume`; started over only when it has no checkpoint yet;
//   anything else (a user's config.json, a file) → refused naming it; with options.force the folder is
//   moved aside to DIR.old-N and a fresh one made. Returns where it was moved, or "".
std::string claim_run_folder(const std::string& dir, bool resume, const OutputOptions& options = {});

}  // namespace xwam::train
