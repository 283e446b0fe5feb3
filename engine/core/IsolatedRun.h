// Runs a piece of work in a forked child process, so that a crash or hang inside a library that is
// not memory-safe on hostile input (libhdf5, docs/fuzzing.md) cannot take this process down.
#pragma once
#include <functional>
#include <string>

namespace xwam {

struct IsolatedResult {
  enum class Outcome { Finished, Crashed, TimedOut } outcome = Outcome::Finished;
  std::string detail;  // "" when finished; else e.g. "Segmentation fault" or "exit status 1"
};

// Forks, runs `work` in the child with default crash signals and an alarm after `seconds`, and waits.
// Finished means `work` returned (exceptions are caught in the child and count as finished: the work
// is a probe, its errors are reported where the real work runs). The caller must hold every lock
// `work` takes, so that no other thread holds one at the fork; the child shares nothing else back.
IsolatedResult run_isolated(const std::function<void()>& work, unsigned seconds);

}  // namespace xwam
