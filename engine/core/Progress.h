// Progress reporting and cooperative cancellation for long engine work.
#pragma once
#include <atomic>
#include <functional>
#include <string>

namespace xwam {

struct Progress {
  std::string stage;    // e.g. "generate", "write", "denoise"
  long long done = 0;   // units finished
  long long total = 0;  // 0 when unknown
  std::string detail;   // free text for a progress line
};

// Called from the working thread. Must be cheap; a GUI forwards it to its own thread.
using ProgressFn = std::function<void(const Progress&)>;

// Shared flag a front end sets to ask running work to stop at its next check point.
// Work that sees it set throws xwam::Cancelled and leaves nothing half-written.
class CancelToken {
 public:
  void cancel() { flag_.store(true); }
  bool cancelled() const { return flag_.load(); }

 private:
  std::atomic<bool> flag_{false};
};

struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

inline void throw_if_cancelled(const CancelToken* token) {
  if (token && token->cancelled()) throw Cancelled{};
}

}  // namespace xwam
