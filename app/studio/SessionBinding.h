// Saving and reopening the window as a Studio session (app/session/Session.h, the format `xwam session`
// reads and writes): the scene, episode, frame, run settings, window layout, and the rollout kept
// beside the session file — read and compared with the recording on a worker when reopened.
#pragma once
#include <QObject>
#include <QString>
#include <memory>

#include "app/session/Session.h"

namespace xwam::studio {
class MainWindow;

class SessionBinding : public QObject {
  Q_OBJECT
 public:
  explicit SessionBinding(MainWindow* window);

  // Both throw nothing: false, with the reason in the window's banner.
  bool save(const QString& path);
  bool open(const QString& path);  // opens the scene; the rest follows in apply_pending()
  QString path() const { return path_; }

  // Called by the window once the session's episode is shown; emits the window's session_restored.
  void apply_pending();
  void drop_pending() { pending_.reset(); }

 private:
  MainWindow* window_;
  std::unique_ptr<session::Session> pending_;
  QString path_;
};

}  // namespace xwam::studio
