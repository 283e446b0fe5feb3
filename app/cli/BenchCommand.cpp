// `xwam bench NAME`: dispatches to the benchmarks the engine parts registered with XWAM_BENCH.
#include <cstdio>

#include "app/cli/Command.h"
#include "engine/core/Error.h"

XWAM_COMMAND(bench, "Run a benchmark and print JSON (xwam bench NAME --help)",
             "xwam bench NAME [options]   (NAME: one of the registered benchmarks)", {}) {
  // main() dispatches known names directly; reaching here means none or an unknown one was given.
  if (args.positional_count() > 0) throw xwam::Error("unknown benchmark '" + args.positional(0, "NAME") + "'");
  std::printf("benchmarks:\n");
  for (const auto& [name, info] : xwam::cli::benches()) std::printf("  %-10s %s\n", name.c_str(), info.summary.c_str());
  return 1;
}
