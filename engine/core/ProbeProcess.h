// Runs a small program on an untrusted input in its own process, so that a crash or hang inside a
// library that is not memory-safe on hostile input (libhdf5, docs/fuzzing.md) cannot take this
// process down. posix_spawn: the cost does not grow with this process's memory, and nothing of its
// state (locks held by other threads) reaches the probe.
#pragma once
#include <string>
#include <vector>

namespace xwam {

struct ProbeResult {
  enum class Outcome { Finished, Crashed, TimedOut } outcome = Outcome::Finished;
  std::string detail;  // "" when finished; else e.g. "Segmentation fault" or "exit status 1"
  int exit_status = 0;  // the program's own exit status when it exited (not killed by a signal)
};

// Spawns `program` with `arguments`, waits at most `seconds` (then kills it) and tells how it ended:
// Finished is exit status 0. Throws xwam::Error naming the program when it cannot be started.
ProbeResult run_probe(const std::string& program, const std::vector<std::string>& arguments, double seconds);

}  // namespace xwam
