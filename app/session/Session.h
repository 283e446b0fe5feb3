// A saved Studio session, shared by the studio (File ▸ Save/Open Session) and the CLI (`xwam session`):
// which scene, episode and frame, the what-if instruction, the run settings, the rollout saved beside
// the session file, and the window layout. Stored as JSON:
//   {"version": 1, "scene": "/abs/scene.h5", "episode": 0, "frame": 12, "instruction": "...",
//    "checkpoint": "...", "mode": "xwam", "steps_action": 10, "steps_video": 50, "seed": "0",
//    "start_frame": 0, "rollout_dir": "s.rollout" (relative to the session file, or ""),
//    "window": {"geometry": base64, "state": base64}}
// No Qt: the window's layout is kept as the base64 text the studio gives.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/OutputDir.h"
#include "engine/data/Episode.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/Rollout.h"

namespace xwam::session {

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
  std::string window_geometry, window_state;  // base64, opaque to everything but the studio
};

// Where a session at `path` keeps its rollout: NAME.rollout beside NAME.json.
std::string rollout_dir_for(const std::string& session_path);

// Writes `session` to `path` atomically. With `rollout`, the rollout is written first to
// rollout_dir_for(path) (an OutputDir of kind "rollout": never over a user's folder) and the session
// points at it; rollout_dir is stored relative to the session file when below its folder. Returns the
// session as written. Throws xwam::Error naming the path.
Session save_session(const std::string& path, Session session, const geometry::Rollout* rollout,
                     const OutputOptions& options = {});

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

}  // namespace xwam::session
