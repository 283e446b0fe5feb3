#include "app/studio/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include "app/cli/render/SceneConversion.h"
#include "app/studio/Exporter.h"
#include "app/studio/RolloutComparison.h"
#include "app/studio/RunPanel.h"
#include "engine/core/OutputDir.h"
#include "engine/geometry/SequenceFusion.h"
#include "widgets/ActionPlot.h"
#include "widgets/CameraGrid.h"
#include "widgets/FineTuneDialog.h"
#include "widgets/MetricsTable.h"
#include "widgets/Timeline.h"
#include "widgets/VulkanViewport.h"

namespace xwam::studio {

namespace {
QString ms_text(double ms) { return ms >= 1000 ? QString("%1 s").arg(ms / 1000, 0, 'f', 2) : QString("%1 ms").arg(ms, 0, 'f', 0); }
}  // namespace

QString MainWindow::default_checkpoint() { return QStringLiteral(XWAM_DEFAULT_CHECKPOINT); }

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
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
  timeline_ = new widgets::Timeline(central);
  layout->addWidget(banner_);
  layout->addWidget(grid_, 1);
  layout->addWidget(timeline_);
  setCentralWidget(central);

  build_docks();
  build_menus();
  statusBar()->showMessage(tr("Ready"));

  connect(timeline_, &widgets::Timeline::frame_changed, grid_, &widgets::CameraGrid::set_frame);
  connect(timeline_, &widgets::Timeline::frame_changed, action_plot_, &widgets::ActionPlot::set_cursor_frame);
  connect(timeline_, &widgets::Timeline::frame_changed, this, &MainWindow::sync_3d_frame);
  connect(&loader_, &SceneLoader::listed, this, &MainWindow::on_listed);
  connect(&loader_, &SceneLoader::loaded, this, &MainWindow::on_loaded);
  connect(&runner_, &RolloutRunner::stage, this, &MainWindow::on_stage);
  connect(&runner_, &RolloutRunner::action_ready, this, &MainWindow::on_action_ready);
  connect(&runner_, &RolloutRunner::video_step, this, [this](int step, int steps, double) {
    run_panel_->set_progress(step, steps, tr("denoising video and depth: step %1 / %2").arg(step).arg(steps));
  });
  connect(&runner_, &RolloutRunner::frame_decoded, this, [this](int frame, int frames) {
    run_panel_->set_progress(frame, frames, tr("decoding frames: %1 / %2").arg(frame).arg(frames));
    grid_->set_prediction_note(tr("decoding frame %1 / %2…").arg(frame).arg(frames));
  });
  connect(&runner_, &RolloutRunner::finished, this, &MainWindow::on_finished);

  QSettings settings("X-WAM Studio", "xwam-studio");
  restoreGeometry(settings.value("window/geometry").toByteArray());
  if (!restoreState(settings.value("window/state").toByteArray())) {
    // First start: dock sizes once the window has its size (before that they are not applied).
    QTimer::singleShot(0, this, [this] {
      auto dock = [this](const char* name) { return findChild<QDockWidget*>(name); };
      resizeDocks({dock("actions_dock"), dock("metrics_dock")}, {1, 1}, Qt::Horizontal);
      resizeDocks({dock("actions_dock")}, {height() / 3}, Qt::Vertical);
      resizeDocks({dock("scene_dock"), dock("run_dock")}, {1, 1}, Qt::Vertical);
      resizeDocks({dock("view3d_dock")}, {width() * 3 / 10}, Qt::Horizontal);
    });
  }
  run_panel_->add_checkpoint(default_checkpoint(), tr("demo (shipped)"));
  // Checkpoints picked or trained in earlier sessions, while they still exist.
  const QStringList known = settings.value("run/checkpoints").toStringList();
  const QStringList labels = settings.value("run/checkpoint_labels").toStringList();
  for (int i = 0; i < known.size(); ++i)
    if (QFileInfo::exists(known[i])) run_panel_->add_checkpoint(known[i], i < labels.size() ? labels[i] : QString());
  const QString last = settings.value("run/checkpoint").toString();
  run_panel_->set_checkpoint(QFileInfo::exists(last) ? last : default_checkpoint());
  run_panel_->set_wan_dir(settings.value("run/wan_dir").toString());
  run_panel_->set_device(settings.value("run/device", "cpu").toString(), settings.value("run/dtype").toString());
}

MainWindow::~MainWindow() = default;

void MainWindow::build_docks() {
  // Scene: episodes of the open file, the what-if instruction, episode facts.
  auto* scene_dock = new QDockWidget(tr("Scene"), this);
  scene_dock->setObjectName("scene_dock");
  auto* scene_panel = new QWidget(scene_dock);
  auto* form = new QFormLayout(scene_panel);
  episode_list_ = new QListWidget(scene_panel);
  episode_list_->setMaximumHeight(120);
  episode_info_ = new QLabel(scene_panel);
  episode_info_->setWordWrap(true);
  form->addRow(tr("Episodes"), episode_list_);
  form->addRow(episode_info_);
  scene_dock->setWidget(scene_panel);
  addDockWidget(Qt::LeftDockWidgetArea, scene_dock);
  connect(episode_list_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row < 0 || scene_path_.isEmpty()) return;
    statusBar()->showMessage(tr("Loading episode %1…").arg(row));
    loader_.load(scene_path_, row);
  });

  // Run panel.
  auto* run_dock = new QDockWidget(tr("Run"), this);
  run_dock->setObjectName("run_dock");
  run_panel_ = new RunPanel(run_dock);
  run_dock->setWidget(run_panel_);
  instruction_edit_ = run_panel_->instruction_edit();
  connect(instruction_edit_, &QLineEdit::returnPressed, this, [this] { run(); });
  addDockWidget(Qt::LeftDockWidgetArea, run_dock);
  connect(run_panel_, &RunPanel::run_requested, this, [this] { run(); });
  connect(run_panel_, &RunPanel::cancel_requested, this, &MainWindow::cancel_run);

  // 3D view: the fused clouds (predicted over recorded). Without a Vulkan device it says so itself.
  auto* view_dock = new QDockWidget(tr("3D View"), this);
  view_dock->setObjectName("view3d_dock");
  view_3d_ = new widgets::VulkanViewport(view_dock);
  view_3d_->setMinimumSize(240, 180);
  view_3d_->set_show_overlay(false);  // it would cover a docked view; View ▸ 3D Overlay turns it on
  view_dock->setWidget(view_3d_);
  addDockWidget(Qt::RightDockWidgetArea, view_dock);

  // Actions: curves, edit controls, Imagine.
  auto* actions_dock = new QDockWidget(tr("Actions"), this);
  actions_dock->setObjectName("actions_dock");
  auto* actions_panel = new QWidget(actions_dock);
  auto* actions_layout = new QVBoxLayout(actions_panel);
  actions_layout->setContentsMargins(2, 2, 2, 2);
  auto* controls = new QHBoxLayout;
  auto* series = new QComboBox(actions_panel);
  series->addItems({tr("actions"), tr("states")});
  auto* dim = new QComboBox(actions_panel);
  auto* scale = new QDoubleSpinBox(actions_panel);
  scale->setRange(-10, 10);
  scale->setDecimals(2);
  scale->setValue(1.0);
  scale->setSingleStep(0.1);
  scale->setPrefix(tr("× "));
  auto* offset = new QDoubleSpinBox(actions_panel);
  offset->setRange(-10, 10);
  offset->setDecimals(3);
  offset->setSingleStep(0.005);
  offset->setPrefix(tr("+ "));
  auto* apply = new QPushButton(tr("Apply"), actions_panel);
  auto* reset = new QPushButton(tr("Reset edits"), actions_panel);
  imagine_button_ = new QPushButton(tr("Imagine edited actions"), actions_panel);
  imagine_button_->setToolTip(tr("Action-conditioned run: what the model predicts these actions would do"));
  imagine_button_->setEnabled(false);
  controls->addWidget(series);
  controls->addSpacing(12);
  controls->addWidget(new QLabel(tr("edit"), actions_panel));
  controls->addWidget(dim);
  controls->addWidget(scale);
  controls->addWidget(offset);
  controls->addWidget(apply);
  controls->addWidget(reset);
  controls->addStretch();
  controls->addWidget(new QLabel(tr("or drag the points"), actions_panel));
  controls->addWidget(imagine_button_);
  action_plot_ = new widgets::ActionPlot(actions_panel);
  actions_layout->addLayout(controls);
  actions_layout->addWidget(action_plot_, 1);
  actions_dock->setWidget(actions_panel);
  addDockWidget(Qt::BottomDockWidgetArea, actions_dock);
  auto refill_dims = [this, dim] {
    dim->clear();
    for (int d : action_plot_->dimensions())
      if (action_plot_->series() == widgets::ActionPlot::Series::Actions) dim->addItem(widgets::action_dimension_name(d), d);
  };
  connect(series, &QComboBox::currentIndexChanged, this, [this, refill_dims](int i) {
    action_plot_->set_series(i == 0 ? widgets::ActionPlot::Series::Actions : widgets::ActionPlot::Series::States);
    refill_dims();
  });
  connect(this, &MainWindow::episode_shown, this, refill_dims);
  connect(apply, &QPushButton::clicked, this, [this, dim, scale, offset] {
    if (dim->currentIndex() >= 0) action_plot_->scale_offset(dim->currentData().toInt(), scale->value(), offset->value());
  });
  connect(reset, &QPushButton::clicked, action_plot_, &widgets::ActionPlot::reset_edits);
  connect(imagine_button_, &QPushButton::clicked, this, [this] { imagine(); });

  // Metrics.
  auto* metrics_dock = new QDockWidget(tr("Metrics"), this);
  metrics_dock->setObjectName("metrics_dock");
  metrics_ = new widgets::MetricsTable(metrics_dock);
  metrics_->clear_report(tr("Metrics against the recording appear after a run."));
  metrics_dock->setWidget(metrics_);
  addDockWidget(Qt::BottomDockWidgetArea, metrics_dock);
  splitDockWidget(actions_dock, metrics_dock, Qt::Horizontal);
  connect(metrics_, &widgets::MetricsTable::frame_selected, this, [this](int f) {
    if (episode_) timeline_->set_frame(f - episode_->first_frame);
  });
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Scene…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open episode file"), QString(),
                                                      tr("Episode files (*.h5 *.hdf5);;All files (*)"));
    if (!path.isEmpty()) open_scene(path);
  });
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &Session…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QString(), tr("Studio sessions (*.json)"));
    if (!path.isEmpty()) open_session(path);
  });
  QAction* save = file->addAction(tr("&Save Session"), this, [this] {
    QString path = session_path_;
    if (path.isEmpty()) path = QFileDialog::getSaveFileName(this, tr("Save session"), "session.json", tr("Studio sessions (*.json)"));
    if (!path.isEmpty()) save_session(path);
  });
  save->setShortcut(QKeySequence::Save);
  file->addAction(tr("Save Session &As…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save session"), "session.json", tr("Studio sessions (*.json)"));
    if (!path.isEmpty()) save_session(path);
  });
  QMenu* exports = file->addMenu(tr("&Export Rollout"));
  const std::pair<ExportKind, QString> kinds[] = {{ExportKind::RolloutFrames, tr("PNG Frames (rollout directory)…")},
                                                  {ExportKind::PlySequence, tr("PLY Point-Cloud Sequence…")},
                                                  {ExportKind::MetricsJson, tr("Metrics JSON…")},
                                                  {ExportKind::ContactSheet, tr("Contact Sheet PNG…")},
                                                  {ExportKind::Video, tr("Side-by-Side Video (mp4)…")}};
  for (const auto& [kind, label] : kinds)
    exports->addAction(label, this, [this, k = static_cast<int>(kind)] { export_as(k); });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* run_menu = menuBar()->addMenu(tr("&Run"));
  QAction* run_action = run_menu->addAction(tr("&Run"), this, [this] { run(); });
  run_action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  QAction* cancel = run_menu->addAction(tr("&Cancel"), this, &MainWindow::cancel_run);
  cancel->setShortcut(Qt::Key_Escape);
  run_menu->addAction(tr("&Imagine Edited Actions"), this, [this] { imagine(); });
  run_menu->addSeparator();
  run_menu->addAction(tr("&Fine-tune…"), this, [this] {
    fine_tune_dialog()->show();
    fine_tune_dialog()->raise();
  });

  QMenu* playback = menuBar()->addMenu(tr("&Playback"));
  QAction* play = playback->addAction(tr("Play / Pause"), timeline_, &widgets::Timeline::toggle_play);
  play->setShortcut(Qt::Key_Space);
  QAction* next = playback->addAction(tr("Next Frame"), this, [this] { timeline_->step(1); });
  next->setShortcut(Qt::Key_Right);
  QAction* prev = playback->addAction(tr("Previous Frame"), this, [this] { timeline_->step(-1); });
  prev->setShortcut(Qt::Key_Left);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  view->addSeparator();
  QAction* errors = view->addAction(tr("Depth Error Heatmaps"));
  errors->setCheckable(true);
  connect(errors, &QAction::toggled, grid_, &widgets::CameraGrid::set_show_depth_errors);
  QAction* overlay = view->addAction(tr("3D Overlay (stats, colours, point size)"));
  overlay->setCheckable(true);
  connect(overlay, &QAction::toggled, view_3d_, &widgets::VulkanViewport::set_show_overlay);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("About X-WAM Studio"), this, [this] {
    QMessageBox::about(this, tr("About X-WAM Studio"),
                       tr("X-WAM Studio: 4D world-action modeling of robot scenes — action-first "
                          "asynchronous denoising, multi-view RGB-D prediction, fused 4D point clouds."));
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
    pending_session_.reset();
    show_message(listing.error, true);
    emit failed(listing.error);
    return;
  }
  scene_path_ = listing.path;
  setWindowTitle(tr("X-WAM Studio — %1").arg(QFileInfo(listing.path).fileName()));
  episode_list_->blockSignals(true);
  episode_list_->clear();
  for (const auto& s : listing.episodes)
    episode_list_->addItem(QString("%1  (%2 frames)").arg(QString::fromStdString(s.name)).arg(s.num_frames));
  episode_list_->blockSignals(false);
  emit scene_listed();
  const int index = std::clamp(pending_episode_, 0, std::max(0, episode_list_->count() - 1));
  episode_list_->setCurrentRow(index);  // starts the episode load
}

void MainWindow::on_loaded(const LoadedEpisode& loaded) {
  if (!loaded.error.isEmpty()) {
    pending_session_.reset();
    show_message(loaded.error, true);
    emit failed(loaded.error);
    return;
  }
  hide_message();
  episode_ = loaded.episode;
  episode_index_ = loaded.index;
  rollout_.reset();
  report_.reset();
  grid_->set_episode(episode_);
  grid_->set_prediction_note(tr("no prediction yet — Run (Ctrl+R)"));
  action_plot_->set_recorded(episode_);
  imagine_button_->setEnabled(false);
  metrics_->clear_report(tr("Metrics against the recording appear after a run."));
  timeline_->set_range(episode_->num_frames, episode_->fps);
  timeline_->set_marks({});
  run_panel_->set_start_frame(0, episode_->num_frames);
  show_recorded_cloud();
  instruction_edit_->setText(QString::fromStdString(episode_->instruction));
  const QString success = episode_->success ? (*episode_->success ? tr("yes") : tr("no")) : tr("unknown");
  episode_info_->setText(tr("<b>%1</b> · task %2<br>%3 frames at %4 fps · %5 cameras · recorded success: %6"
                            "<br>recorded instruction: <i>%7</i>")
                             .arg(QString::fromStdString(episode_->name))
                             .arg(episode_->task.empty() ? "-" : QString::fromStdString(episode_->task))
                             .arg(episode_->num_frames)
                             .arg(episode_->fps)
                             .arg(episode_->cameras.size())
                             .arg(success)
                             .arg(QString::fromStdString(episode_->instruction).toHtmlEscaped()));
  statusBar()->showMessage(tr("Episode %1 of %2").arg(QString::fromStdString(episode_->name)).arg(loaded.path));
  apply_pending_session();  // before episode_shown, so its listeners (e.g. --run) see the session's settings
  emit episode_shown();
}

void MainWindow::set_instruction(const QString& text) { instruction_edit_->setText(text); }
QString MainWindow::instruction() const { return instruction_edit_->text(); }
QString MainWindow::message() const { return banner_->isVisible() ? banner_->text() : QString(); }

void MainWindow::show_message(const QString& text, bool error) {
  banner_->setText(text);
  banner_->setStyleSheet(error ? "background:#5a1d1d; color:#ffdddd; padding:6px; border-radius:4px;"
                               : "background:#1d3a5a; color:#ddeeff; padding:6px; border-radius:4px;");
  banner_->show();
  statusBar()->showMessage(error ? tr("Error") : text, 10000);
}

void MainWindow::hide_message() { banner_->hide(); }

// ---- runs -------------------------------------------------------------------------------------

bool MainWindow::running() const { return runner_.busy(); }

bool MainWindow::run() {
  RunSettings settings = run_panel_->settings();
  if (settings.mode == "action-conditioned") return imagine();
  return start_run(settings);
}

bool MainWindow::imagine() {
  if (!action_plot_->has_predicted()) {
    show_message(tr("Action-conditioned runs need an action chunk: run once, edit the curves in the Actions "
                    "panel, then Imagine."), true);
    return false;
  }
  RunSettings settings = run_panel_->settings();
  settings.mode = "action-conditioned";
  settings.start_frame = last_settings_.start_frame;  // the chunk belongs to that start frame
  settings.given_actions = action_plot_->edited_actions();
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
  if (settings.checkpoint.isEmpty() || !QFileInfo::exists(settings.checkpoint)) {
    const bool demo = QDir::cleanPath(settings.checkpoint) == QDir::cleanPath(default_checkpoint());
    show_message(demo ? tr("The demo checkpoint is not in this checkout (%1). Pick another checkpoint in the Run panel "
                           "(…), or train one with Run ▸ Fine-tune.").arg(settings.checkpoint)
                      : tr("Checkpoint not found: %1").arg(settings.checkpoint.isEmpty() ? tr("(none chosen)") : settings.checkpoint),
                 true);
    return false;
  }
  settings.instruction = instruction_edit_->text().trimmed();
  if (run_root_.isValid()) settings.output_dir = run_root_.filePath(QString("rollout-%1").arg(++run_count_));
  if (!runner_.start(episode_, settings)) return false;
  last_settings_ = settings;
  run_episode_ = episode_;
  hide_message();
  run_panel_->set_running(true);
  run_panel_->set_result_text({});
  rollout_.reset();
  report_.reset();
  grid_->set_rollout(nullptr);
  grid_->set_prediction_note(tr("waiting for the model…"));
  timeline_->set_marks({});
  if (view_3d_shows_rollout_) {
    // Back to the recorded episode until the new prediction is there.
    view_3d_shows_rollout_ = false;
    set_3d_sequences(nullptr, episode_cloud_);
    sync_3d_frame();
  }
  if (settings.mode != "action-conditioned") {
    action_plot_->clear_predicted();
    imagine_button_->setEnabled(false);
  }
  metrics_->clear_report(tr("running…"));
  statusBar()->showMessage(tr("Running %1 with %2…").arg(settings.mode, QFileInfo(settings.checkpoint).fileName()));
  return true;
}

void MainWindow::cancel_run() {
  if (!runner_.busy()) return;
  runner_.cancel();
  run_panel_->set_progress(0, 0, tr("cancelling…"));
}

void MainWindow::on_stage(const QString& name) {
  static const QMap<QString, QString> text{{"load", tr("loading the checkpoint…")},
                                           {"encode", tr("encoding the observation and instruction…")},
                                           {"denoise", tr("denoising actions first, then video and depth…")},
                                           {"decode", tr("decoding video and depth frames…")},
                                           {"evaluate", tr("comparing with the recording (metrics)…")}};
  // "load on DEVICE (DTYPE)" names where the network goes.
  if (name.startsWith("load on ")) run_panel_->set_progress(0, 0, tr("loading the checkpoint on %1…").arg(name.mid(8)));
  else run_panel_->set_progress(0, 0, text.value(name, name));
}

void MainWindow::on_action_ready(const ActionChunkData& chunk) {
  if (run_episode_ != episode_) return;  // another episode was opened meanwhile
  // Action-conditioned runs were given their actions: keep the edited curves on screen.
  if (last_settings_.mode != "action-conditioned") {
    action_plot_->set_predicted(chunk.actions, chunk.action_frames, chunk.states, chunk.state_frames);
    imagine_button_->setEnabled(true);
  }
  show_predicted_path(chunk);
  run_panel_->set_result_text(tr("action chunk ready after <b>%1</b>").arg(ms_text(chunk.latency_ms)));
}

void MainWindow::on_finished(const RunOutcome& outcome) {
  run_panel_->set_running(false);
  if (outcome.status == RunOutcome::Status::Done && run_episode_ != episode_) {
    // Another episode was opened during the run: its prediction would be compared with the wrong one.
    run_panel_->set_progress(0, 1, tr("finished for another episode; discarded"));
    emit run_finished(static_cast<int>(outcome.status));
    return;
  }
  switch (outcome.status) {
    case RunOutcome::Status::Done: {
      run_panel_->set_progress(1, 1, tr("done in %1").arg(ms_text(outcome.total_ms)));
      QString timing = tr("action chunk after <b>%1</b> · video %2 · decode %3 · total %4")
                           .arg(outcome.action_ms >= 0 ? ms_text(outcome.action_ms) : tr("–"), ms_text(outcome.video_ms),
                                ms_text(outcome.decode_ms), ms_text(outcome.total_ms));
      run_panel_->set_result_text(timing);
      if (last_settings_.mode != "action-conditioned" && !action_plot_->has_predicted())
        action_plot_->set_predicted(outcome.chunk.actions, outcome.chunk.action_frames, outcome.chunk.states,
                                    outcome.chunk.state_frames);
      imagine_button_->setEnabled(action_plot_->has_predicted());
      show_rollout(outcome.rollout, outcome.report, outcome.evaluation_error);
      if (outcome.predicted_cloud) show_clouds(outcome.predicted_cloud, outcome.recorded_cloud);
      if (outcome.rollout && outcome.rollout->num_frames() > 0 && episode_)
        timeline_->set_frame(outcome.rollout->frame_indices.back() - episode_->first_frame);
      statusBar()->showMessage(tr("Run finished: %1").arg(outcome.checkpoint_origin), 10000);
      if (!outcome.save_error.isEmpty()) show_message(tr("The rollout could not be saved: %1").arg(outcome.save_error), true);
      break;
    }
    case RunOutcome::Status::Cancelled:
      run_panel_->set_progress(0, 1, tr("cancelled"));
      grid_->set_prediction_note(tr("run cancelled"));
      metrics_->clear_report(tr("run cancelled"));
      show_message(tr("Run cancelled."), false);
      break;
    case RunOutcome::Status::Failed:
      run_panel_->set_progress(0, 1, tr("failed"));
      grid_->set_prediction_note(tr("run failed"));
      metrics_->clear_report(tr("run failed"));
      show_message(outcome.error, true);
      emit failed(outcome.error);
      break;
  }
  emit run_finished(static_cast<int>(outcome.status));
}

void MainWindow::show_rollout(std::shared_ptr<const geometry::Rollout> rollout,
                              std::shared_ptr<const geometry::EvaluationReport> report, const QString& evaluation_error) {
  rollout_ = std::move(rollout);
  report_ = std::move(report);
  grid_->set_rollout(rollout_);
  std::vector<int> marks;
  if (rollout_ && episode_)
    for (int f : rollout_->frame_indices) marks.push_back(f - episode_->first_frame);
  timeline_->set_marks(marks);
  if (report_) metrics_->set_report(*report_);
  else if (!evaluation_error.isEmpty()) metrics_->clear_report(tr("no metrics: %1").arg(evaluation_error));
  else metrics_->clear_report(rollout_ && rollout_->views.empty() ? tr("no predicted images in this mode (Fast-WAM predicts actions only)")
                                                                  : tr("no metrics"));
}

// ---- 3D view ----------------------------------------------------------------------------------

void MainWindow::show_recorded_cloud() {
  view_3d_shows_rollout_ = false;
  episode_cloud_.reset();
  view_3d_->set_sequences(nullptr, nullptr);
  const int generation = ++recorded_cloud_generation_;
  using Cloud = std::shared_ptr<const geometry::CloudSequence>;
  auto* watcher = new QFutureWatcher<Cloud>(this);
  connect(watcher, &QFutureWatcher<Cloud>::finished, this, [this, watcher, generation] {
    const Cloud cloud = watcher->result();
    watcher->deleteLater();
    // A newer episode or a rollout took the view meanwhile.
    if (generation != recorded_cloud_generation_ || view_3d_shows_rollout_ || !cloud) return;
    episode_cloud_ = std::make_shared<const render::PointSequence>(cli::to_point_sequence(*cloud));
    set_3d_sequences(nullptr, episode_cloud_);
    sync_3d_frame();
  });
  watcher->setFuture(QtConcurrent::run([episode = episode_]() -> Cloud {
    // Every other pixel: the view stays light, the shape is the same. No depth or calibration: no cloud.
    try {
      geometry::FusionOptions options;
      options.stride = 2;
      std::vector<int> frames(episode->num_frames);
      for (int t = 0; t < episode->num_frames; ++t) frames[t] = t;
      return std::make_shared<const geometry::CloudSequence>(geometry::fuse_recorded(*episode, frames, options));
    } catch (const std::exception&) {
      return nullptr;
    }
  }));
}

void MainWindow::show_clouds(std::shared_ptr<const geometry::CloudSequence> predicted,
                             std::shared_ptr<const geometry::CloudSequence> recorded) {
  view_3d_shows_rollout_ = true;
  ++recorded_cloud_generation_;
  set_3d_sequences(predicted ? std::make_shared<const render::PointSequence>(cli::to_point_sequence(*predicted)) : nullptr,
                          recorded ? std::make_shared<const render::PointSequence>(cli::to_point_sequence(*recorded)) : nullptr);
  sync_3d_frame();
}

// The predicted chunk's end-effector path over the recorded episode, while the video is still being
// denoised. Frames follow the episode's (as the recorded cloud's do): frame t holds one marker at the
// predicted position of the latest predicted state at or before t, and the trajectory lists them.
void MainWindow::show_predicted_path(const ActionChunkData& chunk) {
  const size_t H = chunk.states.size() / data::kStateDim;
  if (view_3d_shows_rollout_ || H == 0 || chunk.state_frames.size() != H || !episode_) return;
  int arm = 0;
  while (arm < data::kArms && !episode_->arm_present(arm)) ++arm;
  if (arm == data::kArms) return;
  auto path = std::make_shared<render::PointSequence>();
  size_t h = 0;
  for (int t = 0; t < episode_->num_frames; ++t) {
    while (h + 1 < H && chunk.state_frames[h + 1] - episode_->first_frame <= t) ++h;
    const float* s = chunk.states.data() + h * data::kStateDim + arm * data::kStatePerArm;
    path->trajectory.push_back({s[0], s[1], s[2]});
    path->frames.push_back(render::PointFrame{{s[0], s[1], s[2]}, {255, 160, 60}, {}, {}});
  }
  path->source = "predicted";
  set_3d_sequences(path, episode_cloud_);
  sync_3d_frame();
}

// The renderer checks the sequences; a bad one is reported, never fatal.
void MainWindow::set_3d_sequences(std::shared_ptr<const render::PointSequence> predicted,
                                  std::shared_ptr<const render::PointSequence> recorded) {
  try {
    view_3d_->set_sequences(std::move(predicted), std::move(recorded));
  } catch (const std::exception& e) {
    view_3d_->set_sequences(nullptr, nullptr);
    show_message(tr("3D view: %1").arg(QString::fromStdString(e.what())), true);
  }
}

// The 3D view holds either the episode's frames or the rollout's; follow the timeline in both.
void MainWindow::sync_3d_frame() {
  if (view_3d_shows_rollout_) view_3d_->set_frame(std::max(0, grid_->predicted_index()));
  else view_3d_->set_frame(timeline_->frame());
}

// ---- fine-tuning ------------------------------------------------------------------------------

widgets::FineTuneDialog* MainWindow::fine_tune_dialog() {
  if (fine_tune_) {
    fine_tune_->set_wan_dir(run_panel_->wan_dir());  // the Run panel's current one
    return fine_tune_;
  }
  fine_tune_ = new widgets::FineTuneDialog(xwam_program_, this);
  fine_tune_->set_wan_dir(run_panel_->wan_dir());
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
  return fine_tune_;
}

// ---- sessions ---------------------------------------------------------------------------------

Session MainWindow::session() const {
  Session s;
  s.scene = scene_path_;
  s.episode = episode_index_;
  s.frame = timeline_->frame();
  s.instruction = instruction_edit_->text();
  const RunSettings r = run_panel_->settings();
  s.checkpoint = r.checkpoint;
  s.mode = r.mode;
  s.steps_action = r.steps_action;
  s.steps_video = r.steps_video;
  s.seed = r.seed;
  s.start_frame = r.start_frame;
  s.window_geometry = saveGeometry();
  s.window_state = saveState();
  return s;
}

bool MainWindow::save_session(const QString& path) {
  if (scene_path_.isEmpty()) {
    show_message(tr("Nothing to save: open a scene first."), true);
    return false;
  }
  Session s = session();
  // The rollout is kept beside the session, so the session reopens with it.
  if (rollout_) {
    s.rollout_dir = QFileInfo(path).absoluteDir().filePath(QFileInfo(path).completeBaseName() + ".rollout");
    try {
      OutputDir target(s.rollout_dir.toStdString(), "rollout", {false, ""});
      geometry::write_rollout(target.path(), *rollout_);
      target.commit();
    } catch (const std::exception& e) {
      show_message(QString::fromStdString(e.what()), true);
      return false;
    }
  }
  const QString error = s.save(path);
  if (!error.isEmpty()) {
    show_message(error, true);
    return false;
  }
  session_path_ = path;
  statusBar()->showMessage(tr("Session saved: %1").arg(path), 10000);
  return true;
}

bool MainWindow::open_session(const QString& path) {
  QString error;
  Session s = Session::load(path, &error);
  if (!error.isEmpty()) {
    show_message(error, true);
    emit failed(error);
    return false;
  }
  session_path_ = path;
  pending_session_ = std::make_unique<Session>(s);
  restoreGeometry(s.window_geometry);
  restoreState(s.window_state);
  open_scene(s.scene, s.episode);
  return true;
}

// Runs once the session's episode is on screen: settings, frame, and the saved rollout (read and
// evaluated on a worker).
void MainWindow::apply_pending_session() {
  if (!pending_session_) return;
  const Session s = *pending_session_;
  pending_session_.reset();
  instruction_edit_->setText(s.instruction);
  if (!s.checkpoint.isEmpty()) run_panel_->set_checkpoint(s.checkpoint);
  run_panel_->set_mode(s.mode);
  run_panel_->set_steps(s.steps_action, s.steps_video);
  run_panel_->set_seed(s.seed);
  run_panel_->set_start_frame(s.start_frame, episode_->num_frames);
  last_settings_.start_frame = s.start_frame;
  timeline_->set_frame(s.frame);
  if (s.rollout_dir.isEmpty()) {
    emit session_restored();
    return;
  }
  struct Loaded {
    std::shared_ptr<const geometry::Rollout> rollout;
    std::shared_ptr<const geometry::EvaluationReport> report;
    RolloutClouds clouds;
    QString error, evaluation_error;
  };
  auto* watcher = new QFutureWatcher<Loaded>(this);
  connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, frame = s.frame] {
    const Loaded l = watcher->result();
    watcher->deleteLater();
    if (!l.error.isEmpty()) {
      show_message(l.error, true);
    } else {
      show_rollout(l.rollout, l.report, l.evaluation_error);
      if (l.clouds.predicted) show_clouds(l.clouds.predicted, l.clouds.recorded);
      action_plot_->set_predicted(l.rollout->actions, l.rollout->action_frame_indices, l.rollout->states, l.rollout->frame_indices);
      imagine_button_->setEnabled(action_plot_->has_predicted());
      timeline_->set_frame(frame);
    }
    emit session_restored();
  });
  watcher->setFuture(QtConcurrent::run([episode = episode_, dir = s.rollout_dir] {
    Loaded l;
    try {
      auto rollout = std::make_shared<const geometry::Rollout>(geometry::read_rollout(dir.toStdString()));
      l.rollout = rollout;
      try {
        l.report = std::make_shared<const geometry::EvaluationReport>(geometry::evaluate_rollout(episode_at_rollout_size(*episode, *rollout), *rollout));
      } catch (const std::exception& e) {
        l.evaluation_error = QString::fromStdString(e.what());
      }
      try {
        l.clouds = fuse_rollout_clouds(*episode, *rollout);
      } catch (const std::exception&) {
        // No depth in the rollout: the 3D view keeps the recording.
      }
    } catch (const std::exception& e) {
      l.error = QString::fromStdString(e.what());
    }
    return l;
  }));
}

// ---- export -----------------------------------------------------------------------------------

void MainWindow::export_as(int kind_index) {
  const auto kind = static_cast<ExportKind>(kind_index);
  if (!rollout_ || !episode_) {
    show_message(tr("Nothing to export yet: run a prediction first (Ctrl+R)."), true);
    return;
  }
  if (kind == ExportKind::MetricsJson && !report_) {
    show_message(tr("This rollout has no metrics to export."), true);
    return;
  }
  QString target;
  switch (kind) {
    case ExportKind::RolloutFrames: target = QFileDialog::getExistingDirectory(this, tr("Export PNG frames into")); break;
    case ExportKind::PlySequence: target = QFileDialog::getExistingDirectory(this, tr("Export PLY sequence into")); break;
    case ExportKind::MetricsJson: target = QFileDialog::getSaveFileName(this, tr("Export metrics"), "metrics.json", "JSON (*.json)"); break;
    case ExportKind::ContactSheet: target = QFileDialog::getSaveFileName(this, tr("Export contact sheet"), "contact-sheet.png", "PNG (*.png)"); break;
    case ExportKind::Video: target = QFileDialog::getSaveFileName(this, tr("Export video"), "rollout.mp4", "MP4 (*.mp4)"); break;
  }
  if (target.isEmpty()) return;
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
      switch (kind) {
        case ExportKind::RolloutFrames: export_rollout_frames(target, *rollout); break;
        case ExportKind::PlySequence: export_ply_sequence(target, *episode, *rollout); break;
        case ExportKind::MetricsJson: export_metrics_json(target, *report); break;
        case ExportKind::ContactSheet: export_contact_sheet(target, *episode, *rollout); break;
        case ExportKind::Video: export_video(target, *episode, *rollout, episode->fps); break;
      }
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
      p.drawImage(QRectF(QPointF(view_3d_->mapTo(this, QPoint(0, 0))), QSizeF(view_3d_->size())), view,
                  QRectF(view.rect()));
    }
  }
  return shot.save(png_path, "PNG");
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings("X-WAM Studio", "xwam-studio");
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("run/checkpoint", run_panel_->checkpoint());
  settings.setValue("run/checkpoints", run_panel_->checkpoints());
  settings.setValue("run/checkpoint_labels", run_panel_->checkpoint_labels());
  settings.setValue("run/wan_dir", run_panel_->wan_dir());
  settings.setValue("run/device", run_panel_->settings().device);
  settings.setValue("run/dtype", run_panel_->settings().dtype);
  if (runner_.busy()) runner_.cancel();
  QMainWindow::closeEvent(event);
}

}  // namespace xwam::studio
