#include "app/cli/Progress.h"

#include <cstdio>

namespace xwam::cli {

ProgressFn progress_printer() {
  return [](const Progress& p) {
    if (p.total > 0) {
      std::fprintf(stderr, "[%s] %lld/%lld (%3.0f%%) %s\n", p.stage.c_str(), p.done, p.total,
                   100.0 * static_cast<double>(p.done) / static_cast<double>(p.total), p.detail.c_str());
    } else {
      std::fprintf(stderr, "[%s] %lld %s\n", p.stage.c_str(), p.done, p.detail.c_str());
    }
    std::fflush(stderr);
  };
}

}  // namespace xwam::cli
