// The fine-tune dialog: the UI of a training job. It edits a job spec (episode files, the checkpoint to
// start from, a training config and the main hyper-parameters, run directory, resume), and shows the
// job's progress, ETA, loss plot and log with cancel. Everything else — the effective config, the
// `xwam train` process (never inside the GUI), its progress lines, the shell and Slurm scripts — is
// engine/jobs, which `xwam train --write-script` uses too, so both write the same script.
#pragma once
#include <QDialog>
#include <QJsonObject>
#include <memory>

#include "engine/jobs/TrainJobSpec.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace xwam::jobs {
class TrainJob;
struct TrainEvent;
}  // namespace xwam::jobs

namespace xwam::widgets {
class LossPlot;

class FineTuneDialog : public QDialog {
  Q_OBJECT
 public:
  // `xwam_program`: the xwam executable (normally next to xwam-studio).
  explicit FineTuneDialog(const QString& xwam_program, QWidget* parent = nullptr);
  ~FineTuneDialog() override;  // stops a running job (SIGTERM: it saves a checkpoint and exits)

  void set_episode_files(const QStringList& files);
  QStringList episode_files() const;
  void set_init_checkpoint(const QString& path);  // empty: train from the config's fresh weights
  // The Wan2.2 folder passed with the init checkpoint (--wan-dir): a released run's umT5 tokenizer.
  void set_wan_dir(const QString& dir);
  void set_config_file(const QString& path);
  void set_steps(int steps);
  void set_learning_rate(double lr);
  void set_batch_size(int batch_size);
  void set_run_dir(const QString& dir);
  void set_resume(bool resume);  // continue the run directory's latest checkpoint (--resume)
  QString run_dir() const;

  // The job as the dialog's fields describe it (steps / lr / batch size always as overrides).
  jobs::TrainJobSpec job_spec() const;
  // The training config with the dialog's steps / lr / batch size written in; throws nothing — an
  // error text is returned through `error` (unreadable or malformed config file).
  QJsonObject effective_config(QString* error) const;
  // `xwam train` arguments for a config written at `config_path`.
  QStringList train_arguments(const QString& config_path) const;
  // Shell script text running the job here (config embedded), and the Slurm batch script.
  QString shell_script(QString* error) const;
  QString slurm_script(QString* error) const;

  bool running() const;
  int last_step() const;
  int total_steps() const;
  LossPlot* loss_plot() const { return plot_; }
  QString log_text() const;
  QString status_text() const;

 public slots:
  bool start();   // false (with the reason in the status line) when the inputs are not usable
  void cancel();  // asks the job to stop; it saves a checkpoint first

 signals:
  void checkpoint_ready(const QString& checkpoint_dir);  // as soon as the job writes one
  void progress(int step, int total_steps, double eta_s);
  void job_finished(int exit_code, bool cancelled);

 private:
  void poll_job();  // the job's new output and whether it ended; called by poll_timer_
  void on_event(const jobs::TrainEvent& event);
  void on_finished();
  void append_log(const QString& text);
  void set_status(const QString& text, bool error = false);
  void update_buttons();
  bool write_script(bool slurm);

  QString program_;
  QString wan_dir_;
  std::unique_ptr<jobs::TrainJob> job_;  // the running (or last finished) job
  bool job_finished_ = true;
  int job_number_ = 0;  // tells a late kill timer of an earlier job from the current one
  QTimer* poll_timer_;
  QListWidget* files_;
  QLineEdit* init_;
  QLineEdit* config_;
  QLineEdit* run_dir_;
  QCheckBox* resume_;
  QSpinBox* steps_;
  QDoubleSpinBox* lr_;
  QSpinBox* batch_;
  QPushButton* start_;
  QPushButton* cancel_;
  QProgressBar* bar_;
  QLabel* status_;
  QLabel* eta_;
  LossPlot* plot_;
  QPlainTextEdit* log_;
};

}  // namespace xwam::widgets
