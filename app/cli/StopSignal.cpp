#include "app/cli/StopSignal.h"

#include <csignal>

namespace xwam::cli {
namespace {
CancelToken g_stop;
extern "C" void xwam_on_stop_signal(int) { g_stop.cancel(); }
}  // namespace

const CancelToken* cancel_on_stop_signals() {
  std::signal(SIGINT, xwam_on_stop_signal);
  std::signal(SIGTERM, xwam_on_stop_signal);
  return &g_stop;
}

}  // namespace xwam::cli
