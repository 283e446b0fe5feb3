// A libFuzzer program for one target of FuzzTargets.h (XWAM_FUZZ_TARGET, set by fuzz/CMakeLists.txt).
// An xwam::Error is the expected answer to bad bytes; any other exception escapes and is reported as a
// crash, as are sanitizer findings.
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "engine/core/Error.h"
#include "fuzz/FuzzTargets.h"

namespace {
// One scratch folder per process, so parallel fuzzers never share files. Never destroyed: the atexit
// hook that removes the folder runs after static destructors.
const std::string& scratch_dir() {
  static const std::string* dir = [] {
    char templ[] = "/tmp/xwam_fuzz_XXXXXX";
    if (!mkdtemp(templ)) {
      std::perror("mkdtemp");
      std::abort();
    }
    auto* path = new std::string(templ);
    std::atexit([] { std::filesystem::remove_all(scratch_dir()); });
    return path;
  }();
  return *dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const xwam::fuzz::Target* target = xwam::fuzz::find_target(XWAM_FUZZ_TARGET);
  if (!target) std::abort();
  try {
    target->run(std::string(reinterpret_cast<const char*>(data), size), scratch_dir());
  } catch (const xwam::Error&) {
  }
  return 0;
}
