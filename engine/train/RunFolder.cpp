#include "engine/train/RunFolder.h"

#include <filesystem>

#include "engine/core/Error.h"

namespace xwam::train {
namespace fs = std::filesystem;

namespace {
constexpr const char* kKind = "train-run";
constexpr const char* kRunNames[] = {"config.json", "progress.jsonl", "checkpoints"};
}  // namespace

std::string claim_run_folder(const std::string& dir, bool resume, const OutputOptions& options) {
  if (dir.empty()) throw Error("no run folder given");
  const fs::path run(dir);
  std::string why;
  const fs::file_status st = fs::symlink_status(run);
  const bool has_checkpoint = fs::exists(run / "checkpoints" / "latest");
  if (!fs::exists(st)) {
  } else if (!fs::is_directory(st)) {
    why = "is a file, not a run folder";
  } else if (output_kind(dir) == std::string(kKind)) {
    if (!resume && has_checkpoint)
      why = "holds a training run with checkpoints; pass --resume to continue it";
  } else if (!(resume && has_checkpoint && fs::exists(run / "config.json"))) {  // else: a run from before markers
    for (const char* name : kRunNames)
      if (fs::exists(fs::symlink_status(run / name))) {
        why = std::string("holds '") + name + "', which xwam did not write (a run writes config.json, progress.jsonl "
              "and checkpoints/ there)";
        break;
      }
  }
  std::string moved;
  if (!why.empty()) {
    if (!options.force) throw Error(dir, options.refusal(why));
    const fs::path rel = fs::weakly_canonical(fs::current_path()).lexically_relative(fs::weakly_canonical(run));
    if (!rel.empty() && *rel.begin() != "..") throw Error(dir, "is the current folder or holds it; choose another run folder");
    moved = move_aside(dir);
  }
  std::error_code ec;
  fs::create_directories(run, ec);
  if (ec) throw Error(dir, "cannot create the run folder: " + ec.message());
  mark_output(dir, kKind);
  return moved;
}

}  // namespace xwam::train
