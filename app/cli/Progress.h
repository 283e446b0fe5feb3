// Progress lines for the CLI: "[stage] done/total detail", one per line, flushed, machine-greppable.
#pragma once
#include "engine/core/Progress.h"

namespace xwam::cli {

// Prints to stderr so stdout stays clean for --json output.
ProgressFn progress_printer();

}  // namespace xwam::cli
