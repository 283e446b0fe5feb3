// Feeds one input file through a fuzz target's entry in a fresh scratch folder and reports how it ended.
#pragma once
#include <string>

#include "fuzz/FuzzTargets.h"

namespace xwam::test {

struct ReplayResult {
  bool accepted = false;    // the reader returned
  std::string error;        // xwam::Error::what() when it refused the input
  std::string scratch_dir;  // where the input was placed (an honest error names a file in it)
  std::string other;        // any other exception escaped: a bug
};

ReplayResult replay_input(const fuzz::Target& target, const std::string& input_path);

}  // namespace xwam::test
