// The readers under fuzzing, each behind one entry that takes a file's bytes. The libFuzzer programs
// (FuzzMain.cpp, XWAM_FUZZ=ON) and the regression test (tests/fuzz) call the same entries, so an input
// that once crashed a fuzzer replays through exactly the same code in the normal build.
//
//   const auto* t = xwam::fuzz::find_target("png");
//   t->run(bytes, scratch_dir);  // xwam::Error naming a file under scratch_dir, or returns
#pragma once
#include <string>
#include <vector>

namespace xwam::fuzz {

struct Target {
  std::string name;  // fuzz_<name>, fuzz/corpus/<name>/, fuzz/regressions/<name>/
  // Writes `bytes` where the reader expects its file (inside the existing folder `scratch_dir`) and
  // reads it. Bad input must end in an xwam::Error naming a file under `scratch_dir`; anything else
  // (another exception, a crash, a sanitizer report) is a bug the fuzzers look for.
  void (*run)(const std::string& bytes, const std::string& scratch_dir);
};

const std::vector<Target>& targets();
const Target* find_target(const std::string& name);  // nullptr when unknown

// The manifest target reads its first byte as the choice of reader and the rest as the JSON file.
enum class Manifest : unsigned char { Rollout, CloudDirectory, DatasetMetadata, Cameras, ModelConfig, Count };

}  // namespace xwam::fuzz
