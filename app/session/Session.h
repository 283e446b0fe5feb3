// A saved Studio session, shared by the studio (File ▸ Save/Open Session) and the CLI (`xwam session`):
// which scene, episode and frame, the what-if instruction, the run settings, the rollout saved beside
// the session file, and the window layout. Stored as JSON:
//   {"version": 1, "scene": "/abs/scene.h5", "episode": 0, "frame": 12, "instruction": "...",
//    "checkpoint": "...", "mode": "xwam", "steps_action": 10, "steps_video": 50, "seed": "0",
//    "start_frame": 0, "rollout_dir": "s.rollout" (relative to the session file, or ""),
//    "runs": [{"label": "#1 ...", "instruction": "...", "checkpoint": "...", "mode": "xwam", "seed": "0",
//              "steps_action": 10, "steps_video": 50, "start_frame": 0, "total_ms": 812.5,
//              "rollout_dir": "s.run-1.rollout"}, ...],          (the run history, each rollout beside it)
//    "compare": {"a": 0, "b": 1},                                  (the what-if pair shown, or absent)
//    "window": {"geometry": base64, "state": base64}}
// No Qt: the window's layout is kept as the base64 text the studio gives.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/OutputDir.h"
#include "engine/data/Episode.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/Rollout.h"

namespace xwam::session {

// One rollout of the session's run history: its settings, timing, and where it is kept.
struct SessionRun {
  std::string label;
  std::string instruction, checkpoint, mode = "xwam";
  uint64_t seed = 0;
  int steps_action = 10, steps_video = 50, start_frame = 0;
  double total_ms = 0;
  std::string rollout_dir;  // absolute once read
};

struct Session {
  std::string scene;  // absolute once read
  int episode = 0;
  int frame = 0;
  std::string instruction;
  std::string checkpoint;
  std::string mode = "xwam";
  int steps_action = 10, steps_video = 50;
  uint64_t seed = 0;
  int start_frame = 0;
  std::string rollout_dir;  // absolute once read; "" when the session has no rollout
  std::vector<SessionRun> runs;
  int compare_a = -1, compare_b = -1;  // indices into runs of the what-if pair shown (-1: none)
  std::string window_geometry, window_state;  // base64, opaque to everything but the studio
};

// Where a session at `path` keeps its rollout: NAME.rollout beside NAME.json.
std::string rollout_dir_for(const std::string& session_path);

// Where a session at `path` keeps run `index` (0-based) of its history: NAME.run-<index+1>.rollout.
std::string run_rollout_dir_for(const std::string& session_path, size_t index);

// Writes `session` to `path` atomically. With `rollout`, the rollout is written first to
// rollout_dir_for(path) (an OutputDir of kind "rollout": never over a user's folder) and the session
// points at it; likewise run i's rollout `run_rollouts[i]` (one per session.runs entry, or none) to
// run_rollout_dir_for(path, i). Rollout folders are stored relative to the session file. Returns the
// session as written. Throws xwam::Error naming the path.
Session save_session(const std::string& path, Session session, const geometry::Rollout* rollout,
                     const OutputOptions& options = {}, const std::vector<const geometry::Rollout*>& run_rollouts = {});

// Reads `path`; relative paths in it are resolved against the session file's folder. Throws
// xwam::Error naming the file and key.
Session load_session(const std::string& path);

// The session's rollout, read and compared with `episode` (the studio shows both on reopening).
struct RestoredRollout {
  std::shared_ptr<const geometry::Rollout> rollout;
  geometry::Comparison comparison;
};
// Throws xwam::Error naming the rollout when it cannot be read; comparison failures are in the result.
RestoredRollout restore_rollout(const Session& session, const data::Episode& episode);
// Run `index` of the history, read and compared with `episode`; throws as restore_rollout.
RestoredRollout restore_run(const Session& session, size_t index, const data::Episode& episode);

}  // namespace xwam::session
