// The X-WAM Studio main window: scene and episode, Run panel (what-if instruction, checkpoint, mode),
// per-camera recorded vs predicted images on a timeline, action curves (editable, "Imagine"),
// metrics, the 3D view, fine-tuning, sessions and export.
#pragma once
#include <QMainWindow>
#include <QTemporaryDir>
#include <memory>

#include "app/studio/RolloutRunner.h"
#include "app/studio/SceneLoader.h"
#include "app/studio/Session.h"
#include "render/SceneData.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace xwam::widgets {
class ActionPlot;
class CameraGrid;
class FineTuneDialog;
class MetricsTable;
class Timeline;
class VulkanViewport;
}  // namespace xwam::widgets

namespace xwam::studio {
class RunPanel;

// All engine work (file reading, rollouts, evaluation, export) runs on worker threads; failures show
// in the window's message banner and leave the window usable. Training runs as a separate process.
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
  // reason is in the banner).
  bool run();
  // Action-conditioned run on the (edited) action chunk of the Actions panel.
  bool imagine();
  void cancel_run();
  bool running() const;
  std::shared_ptr<const geometry::Rollout> rollout() const { return rollout_; }
  std::shared_ptr<const geometry::EvaluationReport> report() const { return report_; }

  // Sessions (JSON; the rollout is saved beside it) and exports. Throw nothing: false + banner.
  bool save_session(const QString& path);
  bool open_session(const QString& path);
  Session session() const;

  // The `xwam` program used for fine-tuning (default: next to this executable).
  void set_xwam_program(const QString& path) { xwam_program_ = path; }
  widgets::FineTuneDialog* fine_tune_dialog();  // created on first use

  widgets::CameraGrid* camera_grid() const { return grid_; }
  widgets::Timeline* timeline() const { return timeline_; }
  widgets::ActionPlot* action_plot() const { return action_plot_; }
  widgets::MetricsTable* metrics_table() const { return metrics_; }
  RunPanel* run_panel() const { return run_panel_; }
  RolloutRunner* runner() { return &runner_; }
  widgets::VulkanViewport* view_3d() const { return view_3d_; }
  // The window as a person sees it, saved as PNG.
  bool save_screenshot(const QString& png_path);

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
  void build_menus();
  void show_message(const QString& text, bool error);
  void hide_message();
  void on_listed(const SceneListing& listing);
  void on_loaded(const LoadedEpisode& loaded);
  void on_stage(const QString& name);
  void on_action_ready(const ActionChunkData& chunk);
  void on_finished(const RunOutcome& outcome);
  bool start_run(RunSettings settings);
  void show_rollout(std::shared_ptr<const geometry::Rollout> rollout,
                    std::shared_ptr<const geometry::EvaluationReport> report, const QString& evaluation_error);
  void export_as(int kind);
  void apply_pending_session();
  void show_recorded_cloud();  // the whole episode fused (worker), in the 3D view
  void show_clouds(std::shared_ptr<const geometry::CloudSequence> predicted,
                   std::shared_ptr<const geometry::CloudSequence> recorded);
  void sync_3d_frame();
  void show_predicted_path(const ActionChunkData& chunk);  // end-effector path of the predicted states
  void set_3d_sequences(std::shared_ptr<const render::PointSequence> predicted,
                        std::shared_ptr<const render::PointSequence> recorded);

  SceneLoader loader_;
  RolloutRunner runner_;
  QString scene_path_;
  int pending_episode_ = 0;
  int episode_index_ = 0;
  std::shared_ptr<const data::Episode> episode_;
  std::shared_ptr<const geometry::Rollout> rollout_;
  std::shared_ptr<const geometry::EvaluationReport> report_;
  RunSettings last_settings_;
  std::shared_ptr<const data::Episode> run_episode_;  // the episode the current/last run was given
  std::unique_ptr<Session> pending_session_;  // applied once its episode is shown
  QTemporaryDir run_root_;                    // rollout directories of this window's runs
  int run_count_ = 0;
  QString xwam_program_;

  widgets::CameraGrid* grid_;
  widgets::Timeline* timeline_;
  widgets::ActionPlot* action_plot_ = nullptr;
  widgets::MetricsTable* metrics_ = nullptr;
  widgets::FineTuneDialog* fine_tune_ = nullptr;
  RunPanel* run_panel_ = nullptr;
  widgets::VulkanViewport* view_3d_ = nullptr;
  bool view_3d_shows_rollout_ = false;  // frames of the 3D view are the rollout's (else the episode's)
  std::shared_ptr<const render::PointSequence> episode_cloud_;  // the recorded episode, fused
  int recorded_cloud_generation_ = 0;   // drops fusions of an episode that is no longer shown
  QPushButton* imagine_button_ = nullptr;
  QLabel* banner_;
  QListWidget* episode_list_ = nullptr;
  QLineEdit* instruction_edit_ = nullptr;
  QLabel* episode_info_ = nullptr;
  QString session_path_;
};

}  // namespace xwam::studio
