// The X-WAM Studio main window: a composition of panels — Scene, Run (what-if instruction, checkpoint,
// mode), camera tiles over the timeline, Actions (editable, "Imagine"), Metrics, the 3D view — around
// one TimeModel. Engine work runs on workers (SceneLoader, RolloutRunner, CloudView, exports); the
// comparison, exports and sessions are the engine's and app/session's, shared with the CLI.
#pragma once
#include <QMainWindow>
#include <QTemporaryDir>
#include <memory>

#include "app/studio/RolloutRunner.h"
#include "app/studio/RunHistory.h"
#include "app/studio/SceneLoader.h"
#include "engine/geometry/RolloutExports.h"
#include "engine/geometry/WhatIfComparison.h"

class QLabel;

namespace xwam::widgets {
class CameraGrid;
class FineTuneDialog;
class MetricsTable;
class TimeModel;
class Timeline;
class VulkanViewport;
class ActionPlot;
}  // namespace xwam::widgets

namespace xwam::studio {
class ActionsPanel;
class CloudView;
class RunPanel;
class ScenePanel;
class SessionBinding;

// Failures show in the window's message banner and leave the window usable.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  void open_scene(const QString& path, int episode = 0);
  void set_instruction(const QString& text);
  QString instruction() const;
  QString message() const;  // the banner's current text ("" when hidden)
  std::shared_ptr<const data::Episode> episode() const { return episode_; }
  QString scene_path() const { return scene_path_; }

  // Runs with the Run panel's settings and the instruction; false when the run cannot start (the
  // reason is in the banner). imagine(): action-conditioned on the Actions panel's edited chunk.
  bool run();
  bool imagine();
  void cancel_run();
  bool running() const;
  std::shared_ptr<const geometry::Rollout> rollout() const { return rollout_; }
  std::shared_ptr<const geometry::EvaluationReport> report() const { return report_; }

  // Sessions (app/session; the rollout is saved beside it) and exports. Throw nothing: false + banner.
  bool save_session(const QString& path);
  bool open_session(const QString& path);
  QString session_path() const;  // the last saved or opened
  void export_rollout(geometry::ExportKind kind, const QString& target);  // on a worker; export_finished

  // The `xwam` program used for fine-tuning (default: next to this executable).
  void set_xwam_program(const QString& path) { xwam_program_ = path; }
  widgets::FineTuneDialog* fine_tune_dialog();  // created on first use

  widgets::TimeModel* time() const { return time_; }
  widgets::CameraGrid* camera_grid() const { return grid_; }
  widgets::Timeline* timeline() const { return timeline_; }
  widgets::ActionPlot* action_plot() const;
  widgets::MetricsTable* metrics_table() const { return metrics_; }
  RunPanel* run_panel() const { return run_panel_; }
  RolloutRunner* runner() { return &runner_; }
  widgets::VulkanViewport* view_3d() const { return view_3d_; }
  bool save_screenshot(const QString& png_path);  // the window as a person sees it
  int episode_index() const { return episode_index_; }
  ActionsPanel* actions_panel() const { return actions_; }

  // The message banner (an error in red) and the status line.
  void show_message(const QString& text, bool error);
  // A rollout (or none) with its comparison across the panels: camera tiles, timeline marks, metrics,
  // the 3D view. Action curves are the caller's (a run shows them as soon as they are final).
  void show_rollout(std::shared_ptr<const geometry::Rollout> rollout, const geometry::Comparison& comparison);
  // What-if: the run history (every finished rollout of this window/session) and the comparison of two
  // of its runs, per camera recording | A | B on one timeline, both action chunks, the metrics of each
  // and A − B. compare_runs: false + banner when the runs do not start alike (or lack metrics).
  const std::vector<RunRecord>& runs() const { return runs_; }
  RunHistory* run_history() const { return history_; }
  bool compare_runs(int a, int b);
  void show_run(int index);  // one run alone (leaves a comparison)
  bool comparing() const { return what_if_ != nullptr; }
  int compared_a() const { return compare_a_; }
  int compared_b() const { return compare_b_; }
  std::shared_ptr<const geometry::WhatIfComparison> what_if() const { return what_if_; }
  void export_what_if(geometry::WhatIfExportKind kind, const QString& target, int frame = 0);  // export_finished
  // Adds a finished or restored run to the history (sessions restore theirs).
  void add_run(RunRecord record);
  void clear_runs();
  // The start frame an Imagine run uses: that of the chunk on screen.
  void set_chunk_start_frame(int frame) { last_settings_.request.start_frame = frame; }

  static QString default_checkpoint();  // assets/checkpoints/demo of the source tree

 signals:
  void scene_listed();
  void episode_shown();
  void failed(const QString& message);
  void run_finished(int status);  // RunOutcome::Status as int
  void session_restored();
  void export_finished(bool ok, const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_docks();
  void on_listed(const SceneListing& listing);
  void on_loaded(const LoadedEpisode& loaded);
  void on_finished(const RunOutcome& outcome);
  void on_frames_decoded(std::shared_ptr<const geometry::Rollout> partial, int decoded, int frames);
  void compare_partial();
  bool start_run(RunSettings settings);

  SceneLoader loader_;
  RolloutRunner runner_;
  QString scene_path_;
  int pending_episode_ = 0, episode_index_ = 0;
  std::shared_ptr<const data::Episode> episode_;
  std::shared_ptr<const geometry::Rollout> rollout_;
  std::shared_ptr<const geometry::EvaluationReport> report_;
  RunSettings last_settings_;
  std::shared_ptr<const data::Episode> run_episode_;  // the episode the current/last run was given
  QTemporaryDir run_root_;  // rollout directories of this window's runs
  int run_count_ = 0;
  QString xwam_program_;

  widgets::TimeModel* time_;
  widgets::CameraGrid* grid_;
  widgets::Timeline* timeline_;
  QLabel* banner_;
  ScenePanel* scene_panel_ = nullptr;
  RunPanel* run_panel_ = nullptr;
  ActionsPanel* actions_ = nullptr;
  widgets::MetricsTable* metrics_ = nullptr;
  widgets::VulkanViewport* view_3d_ = nullptr;
  CloudView* clouds_ = nullptr;
  widgets::FineTuneDialog* fine_tune_ = nullptr;
  SessionBinding* sessions_;
  RunHistory* history_ = nullptr;
  std::vector<RunRecord> runs_;
  std::shared_ptr<const geometry::WhatIfComparison> what_if_;
  int compare_a_ = -1, compare_b_ = -1;
  // Progressive frames: the latest decoded part of the running rollout compared on a worker (one at a
  // time; a newer part waits in `partial_next_`), for the metrics rows and the 3D cloud.
  std::shared_ptr<const geometry::Rollout> partial_next_;
  bool partial_busy_ = false;
  int run_generation_ = 0;
};

}  // namespace xwam::studio
