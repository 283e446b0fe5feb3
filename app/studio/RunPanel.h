// The Run panel: the what-if instruction, checkpoint, mode, step counts, seed and start frame; Run /
// Cancel; progress with the current stage and the action latency of the last run.
#pragma once
#include <QWidget>

#include "app/studio/RolloutRunner.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace xwam::studio {

class RunPanel : public QWidget {
  Q_OBJECT
 public:
  explicit RunPanel(QWidget* parent = nullptr);

  // The panel's part of a run (checkpoint, mode, steps, seed, start frame; the instruction is the
  // window's to read, it is trimmed there).
  RunSettings settings() const;
  QString checkpoint() const;
  void set_checkpoint(const QString& path);
  // The Wan2.2-TI2V-5B folder (CLI: --wan-dir), where the umT5 tokenizer a released run lacks is found.
  QString wan_dir() const;
  void set_wan_dir(const QString& dir);
  // Where the network runs: a device of RolloutRunner::devices() (one this machine lacks falls back to
  // the CPU) and its weight precision ("" = the device's default: bfloat16 on CUDA, float32 on the CPU).
  void set_device(const QString& device, const QString& dtype);
  // Adds a checkpoint to the picker (kept once per path) with a short label; returns its row.
  int add_checkpoint(const QString& path, const QString& label = {});
  QStringList checkpoints() const;
  QStringList checkpoint_labels() const;  // as shown, in the same order
  void set_mode(const QString& mode);
  void set_steps(int steps_action, int steps_video);
  void set_seed(quint64 seed);
  void set_start_frame(int frame, int num_frames);
  int start_frame() const;

  void set_running(bool running);
  void set_progress(int value, int maximum, const QString& stage);
  void set_result_text(const QString& text);  // the latency line under the progress bar
  QPushButton* run_button() const { return run_; }
  QLineEdit* instruction_edit() const { return instruction_; }  // the what-if instruction
  QPushButton* cancel_button() const { return cancel_; }

 signals:
  void run_requested();
  void cancel_requested();
  void checkpoint_changed(const QString& path);

 private:
  void check_checkpoint();
  QLineEdit* instruction_;
  QComboBox* checkpoint_;
  QLabel* checkpoint_note_;
  QLineEdit* wan_dir_;
  QComboBox* mode_;
  QComboBox *device_, *dtype_;
  QSpinBox* steps_action_;
  QSpinBox* steps_video_;
  QSpinBox* seed_;
  QSpinBox* start_frame_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* stage_;
  QLabel* result_;
};

}  // namespace xwam::studio
