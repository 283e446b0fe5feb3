#include "tests/fuzz/ReplayInput.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"

namespace xwam::test {

ReplayResult replay_input(const fuzz::Target& target, const std::string& input_path) {
  namespace fs = std::filesystem;
  std::ifstream in(input_path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ReplayResult r;
  r.scratch_dir = (fs::temp_directory_path() / ("xwam_fuzz_replay_" + std::to_string(::getpid()))).string();
  fs::remove_all(r.scratch_dir);
  fs::create_directories(r.scratch_dir);
  try {
    target.run(bytes, r.scratch_dir);
    r.accepted = true;
  } catch (const Error& e) {
    r.error = e.what();
  } catch (const std::exception& e) {
    r.other = e.what();
  }
  fs::remove_all(r.scratch_dir);
  return r;
}

}  // namespace xwam::test
