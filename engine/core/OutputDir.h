// Output folders that never cost a user a file: written beside the target, swapped in whole.
#pragma once
#include <functional>
#include <optional>
#include <string>

namespace xwam {

struct OutputOptions {
  // A target that xwam may not replace is renamed to TARGET.old-N (never deleted) instead of refused.
  bool force = false;
  // How the front end offers `force`, appended to a refusal.
  std::string force_hint = "pass --force to move it aside (nothing is deleted)";

  // The message refusing a target, for `why` it may not be replaced.
  std::string refusal(const std::string& why) const {
    return why + "; choose another folder" + (force_hint.empty() ? "" : ", or " + force_hint);
  }
};

// Usage:
//   OutputDir out("runs/r1", "rollout", options);  // refuses a target holding a user's files, before any work
//   write_everything(out.path());                 // a fresh temporary sibling folder
//   out.commit();                                 // the target appears complete; before this it is untouched
// A target is replaced only when it is absent, an empty folder, or a folder of the same kind that xwam wrote
// (a marker file lists what it wrote; a folder holding anything else is the user's). Whatever an earlier
// process killed mid-write left beside the target is recovered at construction: an interrupted swap puts
// the previous folder back, a half-written temporary is removed. Throws xwam::Error naming the target.
class OutputDir {
 public:
  OutputDir(const std::string& target, std::string kind, OutputOptions options = {});
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::string& path() const { return temp_; }
  const std::string& target() const { return target_; }
  // Marks and swaps in the folder. Returns where --force moved the previous target, or "".
  std::string commit();

  // Tests only: called with the name of each step of commit() ("checked", "moved-old", "swapped").
  static void set_step_hook(std::function<void(const char* step)> hook);

 private:
  std::string target_, shown_, kind_, temp_;
  OutputOptions options_;
  bool committed_ = false;
};

// The kind of output an xwam marker declares for `dir`, if it has one.
std::optional<std::string> output_kind(const std::string& dir);
// Marks a folder that xwam fills in place (a training run) as ours; the marker lists `dir`'s entries.
void mark_output(const std::string& dir, const std::string& kind);
// Records that xwam added `name` to an output folder it wrote earlier (e.g. a cache inside a checkpoint),
// so that replacing the folder later does not take it for a user's file. No-op for unmarked folders.
void add_output_entry(const std::string& dir, const std::string& name);
// Renames `path` to the first free PATH.old-N and returns that name.
std::string move_aside(const std::string& path);
// Creates `dir` if absent; throws if it exists and is not an empty folder. Writers that fill a folder
// call this, so that only OutputDir ever replaces anything.
void require_new_folder(const std::string& dir);

}  // namespace xwam
