#include "engine/data/Hdf5Preflight.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <tuple>

#include "engine/core/Error.h"
#include "engine/core/ProbeProcess.h"

namespace xwam::data::h5 {
namespace {

// A metadata walk takes milliseconds; a probe still running after this is stuck in libhdf5.
constexpr double kProbeSeconds = 60;

// The probe ships beside the programs (bin/); tests and tools elsewhere in a build tree find it in
// the build's bin/ folder.
std::string probe_program() {
  std::error_code error;
  const auto beside = std::filesystem::read_symlink("/proc/self/exe", error).parent_path() / "xwam-hdf5-probe";
  if (!error && std::filesystem::exists(beside)) return beside.string();
  const std::filesystem::path built = std::filesystem::path(XWAM_HDF5_PROBE_DIR) / "xwam-hdf5-probe";
  if (std::filesystem::exists(built)) return built.string();
  throw Error("xwam-hdf5-probe", "missing: it belongs beside " + beside.parent_path().string() +
                                     "'s programs (or in " + XWAM_HDF5_PROBE_DIR + "); reinstall X-WAM Studio");
}

using FileVersion = std::tuple<dev_t, ino_t, off_t, time_t, long>;

std::set<FileVersion>& passed() {
  static std::set<FileVersion> versions;  // guarded by h5::lock()
  return versions;
}

}  // namespace

void preflight(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw Error(path, "cannot open file (missing or unreadable)");
  const FileVersion version{info.st_dev, info.st_ino, info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec};
  if (passed().count(version)) return;
  const ProbeResult result = run_probe(probe_program(), {path}, kProbeSeconds);
  if (result.outcome == ProbeResult::Outcome::Finished) {
    passed().insert(version);
    return;
  }
  if (result.outcome == ProbeResult::Outcome::Crashed && result.exit_status == kProbeIncompleteWalk)
    throw Error(path, "libhdf5 cannot list all of the file's objects and attributes (a damaged link or attribute "
                      "table): the file is damaged (docs/fuzzing.md).");
  throw Error(path, std::string(result.outcome == ProbeResult::Outcome::TimedOut ? "libhdf5 hung" : "libhdf5 crashed") +
                        " (" + result.detail +
                        ") reading the file's metadata: the file is damaged. It was read in a separate process, so "
                        "nothing else was affected (docs/fuzzing.md).");
}

}  // namespace xwam::data::h5
