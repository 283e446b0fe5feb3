#include "app/studio/MainWindow.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include "app/studio/ActionsPanel.h"
#include "app/studio/CloudView.h"
#include "app/studio/RunPanel.h"
#include "app/studio/ScenePanel.h"
#include "app/studio/SessionBinding.h"
#include "app/studio/StudioMenus.h"
#include "app/studio/WindowSettings.h"
#include "engine/core/Error.h"
#include "widgets/ActionPlot.h"
#include "widgets/CameraGrid.h"
#include "widgets/FineTuneDialog.h"
#include "widgets/MetricsTable.h"
#include "widgets/TimeModel.h"
#include "widgets/Timeline.h"
#include "widgets/VulkanViewport.h"

namespace xwam::studio {

namespace {
QString ms_text(double ms) { return ms >= 1000 ? QString("%1 s").arg(ms / 1000, 0, 'f', 2) : QString("%1 ms").arg(ms, 0, 'f', 0); }

QDockWidget* dock(QMainWindow* window, const QString& title, const char* name, QWidget* content, Qt::DockWidgetArea area) {
  auto* d = new QDockWidget(title, window);
  d->setObjectName(name);
  content->setParent(d);
  d->setWidget(content);
  window->addDockWidget(area, d);
  return d;
}
}  // namespace

QString MainWindow::default_checkpoint() { return QStringLiteral(XWAM_DEFAULT_CHECKPOINT); }

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), time_(new widgets::TimeModel(this)), sessions_(new SessionBinding(this)) {
  setWindowTitle(tr("X-WAM Studio"));
  resize(1440, 900);
  xwam_program_ = QDir(QCoreApplication::applicationDirPath()).filePath("xwam");
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 0);
  banner_ = new QLabel(central);
  banner_->setWordWrap(true);
  banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  banner_->hide();
  grid_ = new widgets::CameraGrid(central);
  timeline_ = new widgets::Timeline(time_, central);
  layout->addWidget(banner_);
  layout->addWidget(grid_, 1);
  layout->addWidget(timeline_);
  setCentralWidget(central);
  build_docks();
  build_menus(*this);
  statusBar()->showMessage(tr("Ready"));

  connect(time_, &widgets::TimeModel::frame_changed, grid_, &widgets::CameraGrid::set_frame);
  connect(time_, &widgets::TimeModel::frame_changed, actions_->plot(), &widgets::ActionPlot::set_cursor_frame);
  connect(&loader_, &SceneLoader::listed, this, &MainWindow::on_listed);
  connect(&loader_, &SceneLoader::loaded, this, &MainWindow::on_loaded);
  connect(&runner_, &RolloutRunner::stage, this, [this](const QString& name) {
    static const QMap<QString, QString> text{{"encode", tr("encoding the observation and instruction…")},
                                             {"denoise", tr("denoising actions first, then video and depth…")},
                                             {"decode", tr("decoding video and depth frames…")},
                                             {"evaluate", tr("comparing with the recording (metrics, clouds)…")}};
    // "load on DEVICE (DTYPE)" names where the network goes.
    run_panel_->set_progress(0, 0, name.startsWith("load on ") ? tr("loading the checkpoint on %1…").arg(name.mid(8))
                                                               : text.value(name, name));
  });
  connect(&runner_, &RolloutRunner::action_ready, this, [this](const pipeline::ActionChunk& chunk) {
    if (run_episode_ != episode_) return;  // another episode was opened meanwhile
    // Action-conditioned runs were given their actions: keep the edited curves on screen.
    if (last_settings_.request.mode != pipeline::Mode::ActionConditioned) actions_->set_predicted(chunk);
    clouds_->show_path(chunk);
    run_panel_->set_result_text(tr("action chunk ready after <b>%1</b>").arg(ms_text(chunk.latency_ms)));
  });
  connect(&runner_, &RolloutRunner::video_step, this, [this](int step, int steps, double) {
    run_panel_->set_progress(step, steps, tr("denoising video and depth: step %1 / %2").arg(step).arg(steps));
  });
  connect(&runner_, &RolloutRunner::frames_decoded, this, &MainWindow::on_frames_decoded);
  connect(&runner_, &RolloutRunner::finished, this, &MainWindow::on_finished);
  restore_window_settings(*this);
}

MainWindow::~MainWindow() = default;

widgets::ActionPlot* MainWindow::action_plot() const { return actions_->plot(); }

void MainWindow::build_docks() {
  scene_panel_ = new ScenePanel;
  dock(this, tr("Scene"), "scene_dock", scene_panel_, Qt::LeftDockWidgetArea);
  connect(scene_panel_, &ScenePanel::episode_chosen, this, [this](int row) {
    if (scene_path_.isEmpty()) return;
    statusBar()->showMessage(tr("Loading episode %1…").arg(row));
    loader_.load(scene_path_, row);
  });
  run_panel_ = new RunPanel;
  dock(this, tr("Run"), "run_dock", run_panel_, Qt::LeftDockWidgetArea);
  connect(run_panel_->instruction_edit(), &QLineEdit::returnPressed, this, [this] { run(); });
  connect(run_panel_, &RunPanel::run_requested, this, [this] { run(); });
  connect(run_panel_, &RunPanel::cancel_requested, this, &MainWindow::cancel_run);
  // 3D view: the fused clouds (predicted over recorded). Without a Vulkan device it says so itself.
  view_3d_ = new widgets::VulkanViewport;
  view_3d_->setMinimumSize(240, 180);
  view_3d_->set_show_overlay(false);  // it would cover a docked view; View ▸ 3D Overlay turns it on
  dock(this, tr("3D View"), "view3d_dock", view_3d_, Qt::RightDockWidgetArea);
  clouds_ = new CloudView(view_3d_, time_, this);
  connect(clouds_, &CloudView::failed, this, [this](const QString& text) { show_message(text, true); });
  history_ = new RunHistory;
  dock(this, tr("Runs"), "runs_dock", history_, Qt::LeftDockWidgetArea);
  connect(history_, &RunHistory::compare_requested, this, [this](int a, int b) { compare_runs(a, b); });
  connect(history_, &RunHistory::show_requested, this, &MainWindow::show_run);
  actions_ = new ActionsPanel;
  QDockWidget* actions_dock = dock(this, tr("Actions"), "actions_dock", actions_, Qt::BottomDockWidgetArea);
  connect(actions_, &ActionsPanel::imagine_requested, this, [this] { imagine(); });
  metrics_ = new widgets::MetricsTable;
  metrics_->clear_report(tr("Metrics against the recording appear after a run."));
  QDockWidget* metrics_dock = dock(this, tr("Metrics"), "metrics_dock", metrics_, Qt::BottomDockWidgetArea);
  splitDockWidget(actions_dock, metrics_dock, Qt::Horizontal);
  connect(metrics_, &widgets::MetricsTable::frame_selected, this, [this](int f) {
    if (episode_) time_->set_frame(f - episode_->first_frame);
  });
}

// ---- scene ------------------------------------------------------------------------------------

void MainWindow::open_scene(const QString& path, int episode) {
  scene_path_.clear();
  pending_episode_ = episode;
  statusBar()->showMessage(tr("Opening %1…").arg(path));
  loader_.list(path);
}

void MainWindow::on_listed(const SceneListing& listing) {
  if (!listing.error.isEmpty()) {
    sessions_->drop_pending();
    show_message(listing.error, true);
    emit failed(listing.error);
    return;
  }
  scene_path_ = listing.path;
  setWindowTitle(tr("X-WAM Studio — %1").arg(QFileInfo(listing.path).fileName()));
  emit scene_listed();
  scene_panel_->set_listing(listing, pending_episode_);  // starts the episode load
}

void MainWindow::on_loaded(const LoadedEpisode& loaded) {
  if (!loaded.error.isEmpty()) {
    sessions_->drop_pending();
    show_message(loaded.error, true);
    emit failed(loaded.error);
    return;
  }
  banner_->hide();
  episode_ = loaded.episode;
  episode_index_ = loaded.index;
  clear_runs();  // runs compare with their own recording
  rollout_.reset();
  report_.reset();
  grid_->set_episode(episode_);
  grid_->set_prediction_note(tr("no prediction yet — Run (Ctrl+R)"));
  actions_->set_episode(episode_);
  metrics_->clear_report(tr("Metrics against the recording appear after a run."));
  time_->set_range(episode_->num_frames, episode_->fps);
  run_panel_->set_start_frame(0, episode_->num_frames);
  clouds_->show_episode(episode_);
  run_panel_->instruction_edit()->setText(QString::fromStdString(episode_->instruction));
  scene_panel_->show_episode(*episode_);
  statusBar()->showMessage(tr("Episode %1 of %2").arg(QString::fromStdString(episode_->name)).arg(loaded.path));
  sessions_->apply_pending();  // before episode_shown, so its listeners (e.g. --run) see the session's settings
  emit episode_shown();
}

void MainWindow::set_instruction(const QString& text) { run_panel_->instruction_edit()->setText(text); }
QString MainWindow::instruction() const { return run_panel_->instruction_edit()->text(); }
QString MainWindow::message() const { return banner_->isVisible() ? banner_->text() : QString(); }

void MainWindow::show_message(const QString& text, bool error) {
  banner_->setText(text);
  banner_->setStyleSheet(error ? "background:#5a1d1d; color:#ffdddd; padding:6px; border-radius:4px;"
                               : "background:#1d3a5a; color:#ddeeff; padding:6px; border-radius:4px;");
  banner_->show();
  statusBar()->showMessage(error ? tr("Error") : text, 10000);
}

// ---- runs -------------------------------------------------------------------------------------

bool MainWindow::running() const { return runner_.busy(); }

bool MainWindow::run() {
  const RunSettings settings = run_panel_->settings();
  return settings.request.mode == pipeline::Mode::ActionConditioned ? imagine() : start_run(settings);
}

bool MainWindow::imagine() {
  if (!actions_->plot()->has_predicted()) {
    show_message(tr("Action-conditioned runs need an action chunk: run once, edit the curves in the Actions "
                    "panel, then Imagine."), true);
    return false;
  }
  RunSettings settings = run_panel_->settings();
  settings.request.mode = pipeline::Mode::ActionConditioned;
  settings.request.start_frame = last_settings_.request.start_frame;  // the chunk belongs to that start frame
  settings.request.given_actions = actions_->plot()->edited_actions();
  return start_run(settings);
}

bool MainWindow::start_run(RunSettings settings) {
  if (runner_.busy()) return false;
  if (!episode_) {
    show_message(tr("Open a scene first (File ▸ Open Scene, Ctrl+O)."), true);
    return false;
  }
  if (!RolloutRunner::available()) {
    show_message(tr("This build of X-WAM Studio has no rollout engine (configure with the 'pipeline' engine part)."), true);
    return false;
  }
  const QString checkpoint = QString::fromStdString(settings.checkpoint);
  if (checkpoint.isEmpty() || !QFileInfo::exists(checkpoint)) {
    const bool demo = QDir::cleanPath(checkpoint) == QDir::cleanPath(default_checkpoint());
    show_message(demo ? tr("The demo checkpoint is not in this checkout (%1). Pick another checkpoint in the Run panel "
                           "(…), or train one with Run ▸ Fine-tune.").arg(checkpoint)
                      : tr("Checkpoint not found: %1").arg(checkpoint.isEmpty() ? tr("(none chosen)") : checkpoint),
                 true);
    return false;
  }
  settings.request.instruction = instruction().trimmed().toStdString();
  settings.scene = scene_path_.toStdString();
  settings.episode = episode_index_;
  if (run_root_.isValid()) settings.output_dir = run_root_.filePath(QString("rollout-%1").arg(++run_count_)).toStdString();
  if (!runner_.start(episode_, settings)) return false;
  last_settings_ = settings;
  run_episode_ = episode_;
  banner_->hide();
  run_panel_->set_running(true);
  run_panel_->set_result_text({});
  ++run_generation_;
  partial_next_.reset();
  what_if_.reset();  // the new run is shown alone; the history keeps the comparison's runs
  compare_a_ = compare_b_ = -1;
  grid_->set_compared(nullptr);
  actions_->plot()->set_compared({}, {});
  show_rollout(nullptr, {});
  grid_->set_prediction_note(tr("waiting for the model…"));
  clouds_->back_to_episode();  // the recording until the new prediction is there
  if (settings.request.mode != pipeline::Mode::ActionConditioned) actions_->clear_predicted();
  metrics_->clear_report(tr("running…"));
  statusBar()->showMessage(tr("Running %1 with %2…").arg(pipeline::mode_name(settings.request.mode), QFileInfo(checkpoint).fileName()));
  return true;
}

void MainWindow::cancel_run() {
  if (!runner_.busy()) return;
  runner_.cancel();
  run_panel_->set_progress(0, 0, tr("cancelling…"));
}

void MainWindow::on_finished(const RunOutcome& outcome) {
  run_panel_->set_running(false);
  const bool elsewhere = outcome.status == RunOutcome::Status::Done && run_episode_ != episode_;
  if (elsewhere) {
    // Another episode was opened during the run: its prediction would be compared with the wrong one.
    run_panel_->set_progress(0, 1, tr("finished for another episode; discarded"));
  } else if (outcome.status == RunOutcome::Status::Done) {
    const auto& t = outcome.timings;
    run_panel_->set_progress(1, 1, tr("done in %1").arg(ms_text(t.total_ms)));
    run_panel_->set_result_text(tr("action chunk after <b>%1</b> · video %2 · decode %3 · total %4")
                                    .arg(t.action_ms >= 0 ? ms_text(t.action_ms) : tr("–"), ms_text(t.video_ms),
                                         ms_text(t.decode_ms), ms_text(t.total_ms)));
    if (last_settings_.request.mode != pipeline::Mode::ActionConditioned && !actions_->plot()->has_predicted())
      actions_->set_predicted(outcome.chunk);
    ++run_generation_;  // a partial comparison still on its way is stale now
    partial_next_.reset();
    show_rollout(outcome.rollout, outcome.comparison);
    RunRecord record;
    record.settings = last_settings_;
    if (record.settings.request.instruction.empty()) record.settings.request.instruction = episode_->instruction;
    record.rollout = outcome.rollout;
    record.comparison = outcome.comparison;
    record.total_ms = outcome.timings.total_ms;
    add_run(std::move(record));
    if (outcome.rollout && outcome.rollout->num_frames() > 0)
      time_->set_frame(outcome.rollout->frame_indices.back() - episode_->first_frame);
    statusBar()->showMessage(tr("Run finished: %1").arg(outcome.checkpoint_origin), 10000);
    if (!outcome.save_error.isEmpty()) show_message(tr("The rollout could not be saved: %1").arg(outcome.save_error), true);
  } else {
    const bool cancelled = outcome.status == RunOutcome::Status::Cancelled;
    run_panel_->set_progress(0, 1, cancelled ? tr("cancelled") : tr("failed"));
    grid_->set_prediction_note(cancelled ? tr("run cancelled") : tr("run failed"));
    metrics_->clear_report(cancelled ? tr("run cancelled") : tr("run failed"));
    show_message(cancelled ? tr("Run cancelled.") : outcome.error, !cancelled);
    if (!cancelled) emit failed(outcome.error);
  }
  emit run_finished(static_cast<int>(outcome.status));
}

// Progressive frames: the tiles and timeline ticks show the decoded part at once; metrics rows and the
// 3D cloud follow when its comparison (on a worker) is done.
void MainWindow::on_frames_decoded(std::shared_ptr<const geometry::Rollout> partial, int decoded, int frames) {
  if (run_episode_ != episode_ || !partial) return;
  run_panel_->set_progress(decoded, frames, tr("decoded frames: %1 / %2").arg(decoded).arg(frames));
  grid_->set_prediction_note(tr("decoding frame %1 / %2…").arg(decoded + 1).arg(frames));
  grid_->set_rollout(partial);
  std::vector<int> predicted;
  for (int f : partial->frame_indices) predicted.push_back(f - episode_->first_frame);
  time_->set_predicted_frames(predicted);
  partial_next_ = std::move(partial);
  compare_partial();
}

void MainWindow::compare_partial() {
  if (partial_busy_ || !partial_next_ || !episode_) return;
  partial_busy_ = true;
  auto* watcher = new QFutureWatcher<geometry::Comparison>(this);
  connect(watcher, &QFutureWatcher<geometry::Comparison>::finished, this,
          [this, watcher, generation = run_generation_, partial = partial_next_] {
            const geometry::Comparison c = watcher->result();
            watcher->deleteLater();
            partial_busy_ = false;
            if (generation != run_generation_) return;  // the run finished or another started meanwhile
            if (c.report) metrics_->set_report(*c.report);
            if (c.clouds.predicted) clouds_->show_rollout(c.clouds);
            compare_partial();
          });
  watcher->setFuture(QtConcurrent::run([episode = episode_, partial = std::move(partial_next_)] {
    try {
      return geometry::compare_rollout(*episode, *partial);
    } catch (const std::exception&) {
      return geometry::Comparison{};  // the final comparison reports it
    }
  }));
}

// ---- what-if ----------------------------------------------------------------------------------

void MainWindow::add_run(RunRecord record) {
  record.label = run_label(static_cast<int>(runs_.size()) + 1, record.settings, record.total_ms);
  runs_.push_back(record);
  history_->add(runs_.back());
}

void MainWindow::clear_runs() {
  runs_.clear();
  history_->clear();
  what_if_.reset();
  compare_a_ = compare_b_ = -1;
  grid_->set_compared(nullptr);
}

void MainWindow::show_run(int index) {
  if (index < 0 || index >= static_cast<int>(runs_.size())) return;
  const RunRecord& r = runs_[index];
  what_if_.reset();
  compare_a_ = compare_b_ = -1;
  grid_->set_compared(nullptr);
  actions_->plot()->set_compared({}, {});
  show_rollout(r.rollout, r.comparison);
  actions_->set_predicted(*r.rollout);
  last_settings_ = r.settings;
}

bool MainWindow::compare_runs(int a, int b) {
  const int n = static_cast<int>(runs_.size());
  if (a < 0 || b < 0 || a >= n || b >= n || a == b) {
    show_message(tr("Pick two different runs of the history as A and B (there are %1).").arg(n), true);
    return false;
  }
  const RunRecord &ra = runs_[a], &rb = runs_[b];
  try {
    geometry::check_same_start(*ra.rollout, *rb.rollout);
    if (!ra.comparison.report || !rb.comparison.report)
      throw Error(tr("run %1 has no metrics against the recording").arg(ra.comparison.report ? b + 1 : a + 1).toStdString());
  } catch (const std::exception& e) {
    show_message(tr("Runs #%1 and #%2 cannot be compared side by side: %3").arg(a + 1).arg(b + 1).arg(e.what()), true);
    return false;
  }
  show_run(a);
  what_if_ = std::make_shared<const geometry::WhatIfComparison>(
      geometry::what_if_from_reports(*ra.comparison.report, *rb.comparison.report));
  compare_a_ = a;
  compare_b_ = b;
  const QString label_a = tr("A #%1").arg(a + 1), label_b = tr("B #%1").arg(b + 1);
  grid_->set_compared(rb.rollout, label_a, label_b);
  clouds_->show_what_if(ra.comparison.clouds, rb.comparison.clouds);
  actions_->plot()->set_compared(rb.rollout->actions, rb.rollout->states);
  metrics_->set_what_if(*what_if_, tr("A: %1").arg(ra.label), tr("B: %1").arg(rb.label));
  history_->pick(a, b);
  banner_->hide();
  statusBar()->showMessage(tr("Comparing run #%1 (A) with run #%2 (B)").arg(a + 1).arg(b + 1), 10000);
  return true;
}

void MainWindow::export_what_if(geometry::WhatIfExportKind kind, const QString& target, int frame) {
  if (!what_if_ || !episode_) {
    show_message(tr("Nothing to export yet: compare two runs first (Runs panel, Compare A | B)."), true);
    emit export_finished(false, message());
    return;
  }
  statusBar()->showMessage(tr("Exporting to %1…").arg(target));
  auto* watcher = new QFutureWatcher<QString>(this);
  connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, target] {
    const QString error = watcher->result();
    watcher->deleteLater();
    if (error.isEmpty()) statusBar()->showMessage(tr("Exported %1").arg(target), 10000);
    else show_message(error, true);
    emit export_finished(error.isEmpty(), error.isEmpty() ? target : error);
  });
  watcher->setFuture(QtConcurrent::run([kind, target, frame, episode = episode_, a = runs_[compare_a_].rollout,
                                        b = runs_[compare_b_].rollout, w = what_if_, la = compare_a_ + 1,
                                        lb = compare_b_ + 1]() -> QString {
    try {
      geometry::export_what_if({kind, target.toStdString(), frame}, *episode, *a, *b, *w, "A #" + std::to_string(la),
                               "B #" + std::to_string(lb), {true, ""});  // the save dialog confirmed a replacement
    } catch (const std::exception& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }));
}

// A rollout (or none) with its comparison across the panels.
void MainWindow::show_rollout(std::shared_ptr<const geometry::Rollout> rollout, const geometry::Comparison& comparison) {
  rollout_ = std::move(rollout);
  report_ = comparison.report;
  grid_->set_rollout(rollout_);
  std::vector<int> predicted;
  if (rollout_ && episode_)
    for (int f : rollout_->frame_indices) predicted.push_back(f - episode_->first_frame);
  time_->set_predicted_frames(predicted);
  if (comparison.clouds.predicted) clouds_->show_rollout(comparison.clouds);
  if (!rollout_) return;
  if (report_) metrics_->set_report(*report_);
  else metrics_->clear_report(comparison.evaluation_error.empty() ? tr("no metrics")
                                                                  : tr("no metrics: %1").arg(QString::fromStdString(comparison.evaluation_error)));
}

// ---- fine-tuning ------------------------------------------------------------------------------

widgets::FineTuneDialog* MainWindow::fine_tune_dialog() {
  if (!fine_tune_) {
    fine_tune_ = new widgets::FineTuneDialog(xwam_program_, this);
    if (!scene_path_.isEmpty()) fine_tune_->set_episode_files({scene_path_});
    const QString init = run_panel_->checkpoint();
    if (QFileInfo::exists(init)) fine_tune_->set_init_checkpoint(init);
    // The demo model's fine-tuning recipe; any other config JSON can be chosen.
    const QString config = QDir(QStringLiteral(XWAM_SOURCE_ROOT)).filePath("assets/configs/demo-xwam.json");
    if (QFileInfo::exists(config)) fine_tune_->set_config_file(config);
    fine_tune_->set_run_dir(QDir::home().filePath("xwam-runs/finetune-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss")));
    // Finished checkpoints become selectable in the Run panel as they appear.
    connect(fine_tune_, &widgets::FineTuneDialog::checkpoint_ready, this, [this](const QString& dir) {
      run_panel_->add_checkpoint(dir);
      statusBar()->showMessage(tr("New checkpoint: %1").arg(dir), 10000);
    });
  }
  fine_tune_->set_wan_dir(run_panel_->wan_dir());  // the Run panel's current one
  return fine_tune_;
}

// ---- sessions ---------------------------------------------------------------------------------

bool MainWindow::save_session(const QString& path) { return sessions_->save(path); }
bool MainWindow::open_session(const QString& path) { return sessions_->open(path); }
QString MainWindow::session_path() const { return sessions_->path(); }

// ---- export -----------------------------------------------------------------------------------

void MainWindow::export_rollout(geometry::ExportKind kind, const QString& target) {
  if (!rollout_ || !episode_) {
    show_message(tr("Nothing to export yet: run a prediction first (Ctrl+R)."), true);
    emit export_finished(false, message());
    return;
  }
  statusBar()->showMessage(tr("Exporting to %1…").arg(target));
  auto* watcher = new QFutureWatcher<QString>(this);
  connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, target] {
    const QString error = watcher->result();
    watcher->deleteLater();
    if (error.isEmpty()) statusBar()->showMessage(tr("Exported %1").arg(target), 10000);
    else show_message(error, true);
    emit export_finished(error.isEmpty(), error.isEmpty() ? target : error);
  });
  watcher->setFuture(QtConcurrent::run([kind, target, episode = episode_, rollout = rollout_, report = report_]() -> QString {
    try {
      // A file chosen in the save dialog was confirmed there; a folder must be new, empty or xwam's.
      geometry::export_rollout(kind, target.toStdString(), *episode, *rollout, report.get(),
                               {!geometry::writes_folder(kind), ""});
    } catch (const std::exception& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }));
}

// ---- window -----------------------------------------------------------------------------------

// QWidget::grab() cannot see the Vulkan surface: the 3D view's own rendering is painted over its place.
bool MainWindow::save_screenshot(const QString& png_path) {
  QImage shot = grab().toImage();
  if (view_3d_->isVisible() && view_3d_->vulkan_available()) {
    const QImage view = view_3d_->grab_composite();
    if (!view.isNull()) {
      QPainter p(&shot);
      p.drawImage(QRectF(QPointF(view_3d_->mapTo(this, QPoint(0, 0))), QSizeF(view_3d_->size())), view, QRectF(view.rect()));
    }
  }
  return shot.save(png_path, "PNG");
}

void MainWindow::closeEvent(QCloseEvent* event) {
  save_window_settings(*this);
  if (runner_.busy()) runner_.cancel();
  QMainWindow::closeEvent(event);
}

}  // namespace xwam::studio
