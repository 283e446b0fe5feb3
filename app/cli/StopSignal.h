// SIGINT / SIGTERM as a cancellation request: long commands stop at their next check point, save
// what must be saved, and exit cleanly (a GUI cancels a child `xwam` process this way).
#pragma once
#include "engine/core/Progress.h"

namespace xwam::cli {

// Installs the handlers (once) and returns the token they set.
const CancelToken* cancel_on_stop_signals();

}  // namespace xwam::cli
