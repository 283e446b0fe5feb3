#include "app/studio/SessionBinding.h"

#include <QFutureWatcher>
#include <QStatusBar>
#include <QtConcurrent/QtConcurrent>

#include "app/studio/ActionsPanel.h"
#include "app/studio/MainWindow.h"
#include "app/studio/RunPanel.h"
#include "widgets/TimeModel.h"

namespace xwam::studio {

SessionBinding::SessionBinding(MainWindow* window) : QObject(window), window_(window) {}

bool SessionBinding::save(const QString& path) {
  MainWindow& w = *window_;
  if (w.scene_path().isEmpty()) {
    w.show_message(tr("Nothing to save: open a scene first."), true);
    return false;
  }
  const RunSettings r = w.run_panel()->settings();
  session::Session s;
  s.scene = w.scene_path().toStdString();
  s.episode = w.episode_index();
  s.frame = w.time()->frame();
  s.instruction = w.instruction().toStdString();
  s.checkpoint = r.checkpoint;
  s.mode = pipeline::mode_name(r.request.mode);
  s.steps_action = r.request.steps_action;
  s.steps_video = r.request.steps_video;
  s.seed = r.request.seed;
  s.start_frame = r.request.start_frame;
  s.window_geometry = w.saveGeometry().toBase64().toStdString();
  s.window_state = w.saveState().toBase64().toStdString();
  // The run history, each rollout beside the session, and the what-if pair on screen.
  std::vector<const geometry::Rollout*> run_rollouts;
  for (const RunRecord& run : w.runs()) {
    const auto& q = run.settings.request;
    session::SessionRun saved;
    saved.label = run.label.toStdString();
    saved.instruction = q.instruction;
    saved.checkpoint = run.settings.checkpoint;
    saved.mode = pipeline::mode_name(q.mode);
    saved.seed = q.seed;
    saved.steps_action = q.steps_action;
    saved.steps_video = q.steps_video;
    saved.start_frame = q.start_frame;
    saved.total_ms = run.total_ms;
    s.runs.push_back(saved);
    run_rollouts.push_back(run.rollout.get());
  }
  if (w.comparing()) {
    s.compare_a = w.compared_a();
    s.compare_b = w.compared_b();
  }
  try {
    session::save_session(path.toStdString(), s, w.rollout().get(), {false, ""}, run_rollouts);  // rollouts kept beside it
  } catch (const std::exception& e) {
    w.show_message(QString::fromStdString(e.what()), true);
    return false;
  }
  path_ = path;
  w.statusBar()->showMessage(tr("Session saved: %1").arg(path), 10000);
  return true;
}

bool SessionBinding::open(const QString& path) {
  MainWindow& w = *window_;
  try {
    pending_ = std::make_unique<session::Session>(session::load_session(path.toStdString()));
  } catch (const std::exception& e) {
    w.show_message(QString::fromStdString(e.what()), true);
    emit w.failed(QString::fromStdString(e.what()));
    return false;
  }
  path_ = path;
  w.restoreGeometry(QByteArray::fromBase64(QByteArray::fromStdString(pending_->window_geometry)));
  w.restoreState(QByteArray::fromBase64(QByteArray::fromStdString(pending_->window_state)));
  w.open_scene(QString::fromStdString(pending_->scene), pending_->episode);
  return true;
}

void SessionBinding::apply_pending() {
  if (!pending_) return;
  MainWindow& w = *window_;
  const session::Session s = *pending_;
  pending_.reset();
  w.set_instruction(QString::fromStdString(s.instruction));
  if (!s.checkpoint.empty()) w.run_panel()->set_checkpoint(QString::fromStdString(s.checkpoint));
  w.run_panel()->set_mode(QString::fromStdString(s.mode));
  w.run_panel()->set_steps(s.steps_action, s.steps_video);
  w.run_panel()->set_seed(s.seed);
  w.run_panel()->set_start_frame(s.start_frame, w.episode()->num_frames);
  w.set_chunk_start_frame(s.start_frame);
  w.time()->set_frame(s.frame);
  if (s.rollout_dir.empty() && s.runs.empty()) {
    emit w.session_restored();
    return;
  }
  // The shown rollout and the run history are read and compared with the recording on a worker.
  struct Restored {
    session::RestoredRollout rollout;
    std::vector<session::RestoredRollout> runs;
    QString error;
  };
  auto* watcher = new QFutureWatcher<Restored>(this);
  connect(watcher, &QFutureWatcher<Restored>::finished, this, [this, watcher, frame = s.frame, s] {
    MainWindow& w = *window_;
    const Restored r = watcher->result();
    watcher->deleteLater();
    if (!r.error.isEmpty()) {
      w.show_message(r.error, true);
    } else {
      for (size_t i = 0; i < r.runs.size(); ++i) {
        const session::SessionRun& saved = s.runs[i];
        RunRecord run;
        run.settings.checkpoint = saved.checkpoint;
        run.settings.request.instruction = saved.instruction;
        run.settings.request.mode = pipeline::parse_mode(saved.mode, "session run mode");
        run.settings.request.seed = saved.seed;
        run.settings.request.steps_action = saved.steps_action;
        run.settings.request.steps_video = saved.steps_video;
        run.settings.request.start_frame = saved.start_frame;
        run.rollout = r.runs[i].rollout;
        run.comparison = r.runs[i].comparison;
        run.total_ms = saved.total_ms;
        w.add_run(std::move(run));
      }
      if (r.rollout.rollout) {
        w.show_rollout(r.rollout.rollout, r.rollout.comparison);
        w.actions_panel()->set_predicted(*r.rollout.rollout);
      }
      if (s.compare_a >= 0 && s.compare_b >= 0) w.compare_runs(s.compare_a, s.compare_b);
      w.time()->set_frame(frame);
    }
    emit w.session_restored();
  });
  watcher->setFuture(QtConcurrent::run([episode = w.episode(), s] {
    Restored r;
    try {
      if (!s.rollout_dir.empty()) r.rollout = session::restore_rollout(s, *episode);
      for (size_t i = 0; i < s.runs.size(); ++i) r.runs.push_back(session::restore_run(s, i, *episode));
      for (const auto& run : s.runs) pipeline::parse_mode(run.mode, "session run mode");  // refused here, named
    } catch (const std::exception& e) {
      r.error = QString::fromStdString(e.what());
    }
    return r;
  }));
}

}  // namespace xwam::studio
