// The fine-tune launcher: picks episode files, the checkpoint to start from, a training config and the
// main hyper-parameters, then runs `xwam train` as a separate process (never inside the GUI) with a
// live loss plot, progress, ETA, its log and cancel. It can also write the same job as a shell command
// or a Slurm batch script (srun + torchrun-style RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT).
#pragma once
#include <QDialog>
#include <QJsonObject>
#include <QProcess>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

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

  // The training config with the dialog's steps / lr / batch size written in; throws nothing — an
  // error text is returned through `error` (unreadable or malformed config file).
  QJsonObject effective_config(QString* error) const;
  // `xwam train` arguments for a config written at `config_path`.
  QStringList train_arguments(const QString& config_path) const;
  // Shell script text running the job here (config embedded), and the Slurm batch script.
  QString shell_script(QString* error) const;
  QString slurm_script(QString* error) const;

  bool running() const;
  int last_step() const { return last_step_; }
  int total_steps() const { return total_steps_; }
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
  void on_stdout();
  void on_stderr();
  void on_json_line(const QByteArray& line);
  void on_finished(int exit_code, QProcess::ExitStatus status);
  void append_log(const QString& text);
  void set_status(const QString& text, bool error = false);
  void update_buttons();
  bool write_script(bool slurm);
  bool script_parts(QString* prelude, QString* command, QString* error) const;

  QString program_;
  QString wan_dir_;
  QProcess* process_;
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
  QByteArray stdout_buffer_, stderr_buffer_;
  int last_step_ = 0, total_steps_ = 0;
  bool cancel_requested_ = false;
};

}  // namespace xwam::widgets
