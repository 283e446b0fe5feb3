// A saved Studio session: which scene, episode and frame, the what-if instruction, the run settings,
// where the rollout was saved, and the window layout. Stored as JSON:
//   {"version": 1, "scene": "...", "episode": 0, "frame": 12, "instruction": "...",
//    "checkpoint": "...", "mode": "xwam", "steps_action": 10, "steps_video": 50, "seed": 0,
//    "start_frame": 0, "rollout_dir": "session.rollout" (relative to the session file, or ""),
//    "window": {"geometry": base64, "state": base64}}
#pragma once
#include <QByteArray>
#include <QString>

namespace xwam::studio {

struct Session {
  QString scene;
  int episode = 0;
  int frame = 0;
  QString instruction;
  QString checkpoint;
  QString mode = "xwam";
  int steps_action = 10, steps_video = 50;
  quint64 seed = 0;
  int start_frame = 0;
  QString rollout_dir;  // absolute once read; "" when the session has no rollout
  QByteArray window_geometry, window_state;

  // Writes `path` atomically; rollout_dir is stored relative to the session file when below it.
  // Returns an error text ("" on success).
  QString save(const QString& path) const;
  // Reads `path`; relative paths in it are resolved against the session file's folder.
  static Session load(const QString& path, QString* error);
};

}  // namespace xwam::studio
