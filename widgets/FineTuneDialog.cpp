#include "widgets/FineTuneDialog.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/jobs/JobScript.h"
#include "engine/jobs/TrainJob.h"
#include "widgets/LossPlot.h"

namespace xwam::widgets {

namespace {
QString eta_text(double seconds) {
  if (!(seconds >= 0)) return {};
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? QString("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
         : s >= 60 ? QString("%1 min %2 s").arg(s / 60).arg(s % 60)
                   : QString("%1 s").arg(s);
}
}  // namespace

FineTuneDialog::FineTuneDialog(const QString& xwam_program, QWidget* parent)
    : QDialog(parent), program_(xwam_program), poll_timer_(new QTimer(this)) {
  setWindowTitle(tr("Fine-tune X-WAM"));
  resize(820, 640);
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  layout->addLayout(form);

  // Inputs: episodes, init checkpoint, config, hyper-parameters, run directory.
  files_ = new QListWidget(this);
  files_->setMaximumHeight(70);
  files_->setToolTip(tr("Episode files (.h5) to train on; every episode of each file is used"));
  auto* add_files = new QPushButton(tr("Add…"), this);
  auto* remove_files = new QPushButton(tr("Remove"), this);
  auto* file_buttons = new QVBoxLayout;
  file_buttons->addWidget(add_files);
  file_buttons->addWidget(remove_files);
  file_buttons->addStretch();
  auto* file_row = new QHBoxLayout;
  file_row->addWidget(files_, 1);
  file_row->addLayout(file_buttons);
  form->addRow(tr("Episode files"), file_row);

  auto path_row = [this, form](const QString& label, QLineEdit*& edit, const QString& tip, auto browse) {
    edit = new QLineEdit(this);
    edit->setToolTip(tip);
    auto* button = new QToolButton(this);
    button->setText(tr("…"));
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(button);
    form->addRow(label, row);
    connect(button, &QToolButton::clicked, this, browse);
  };
  path_row(tr("Start from"), init_, tr("Checkpoint to initialize from (empty: fresh weights of the config's model)"), [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint to start from"), init_->text());
    if (!dir.isEmpty()) init_->setText(dir);
  });
  path_row(tr("Config"), config_, tr("Training config JSON: {\"model\", \"task\", \"train\"}"), [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Training config"), config_->text(), tr("JSON (*.json)"));
    if (!f.isEmpty()) set_config_file(f);
  });
  path_row(tr("Run directory"), run_dir_, tr("Where checkpoints and logs go (RUNDIR/checkpoints/<step>)"), [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run directory"), run_dir_->text());
    if (!dir.isEmpty()) run_dir_->setText(dir);
  });

  resume_ = new QCheckBox(tr("resume: continue from the run directory's latest checkpoint"), this);
  form->addRow(QString(), resume_);

  steps_ = new QSpinBox(this);
  steps_->setRange(1, 10'000'000);
  steps_->setValue(1000);
  lr_ = new QDoubleSpinBox(this);
  lr_->setDecimals(7);
  lr_->setRange(1e-7, 1.0);
  lr_->setSingleStep(1e-5);
  lr_->setValue(1e-4);
  batch_ = new QSpinBox(this);
  batch_->setRange(1, 4096);
  batch_->setValue(1);
  auto* hyper = new QHBoxLayout;
  hyper->addWidget(new QLabel(tr("steps"), this));
  hyper->addWidget(steps_);
  hyper->addWidget(new QLabel(tr("learning rate"), this));
  hyper->addWidget(lr_);
  hyper->addWidget(new QLabel(tr("batch size"), this));
  hyper->addWidget(batch_);
  hyper->addStretch();
  form->addRow(tr("Training"), hyper);

  // Actions.
  start_ = new QPushButton(tr("Start"), this);
  start_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel job"), this);
  cancel_->setToolTip(tr("Stop the job; it saves a checkpoint first and can be resumed"));
  auto* write_cmd = new QPushButton(tr("Write command line…"), this);
  auto* write_slurm = new QPushButton(tr("Write Slurm script…"), this);
  auto* close = new QPushButton(tr("Close"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  buttons->addStretch();
  buttons->addWidget(write_cmd);
  buttons->addWidget(write_slurm);
  buttons->addWidget(close);
  layout->addLayout(buttons);

  // Progress: bar, ETA, status, loss plot over the log.
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 1);
  bar_->setValue(0);
  eta_ = new QLabel(this);
  auto* bar_row = new QHBoxLayout;
  bar_row->addWidget(bar_, 1);
  bar_row->addWidget(eta_);
  layout->addLayout(bar_row);
  status_ = new QLabel(tr("Pick episode files and a config, then Start."), this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  auto* split = new QSplitter(Qt::Vertical, this);
  plot_ = new LossPlot(split);
  log_ = new QPlainTextEdit(split);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono("monospace");
  mono.setStyleHint(QFont::Monospace);
  log_->setFont(mono);
  split->addWidget(plot_);
  split->addWidget(log_);
  layout->addWidget(split, 1);

  connect(add_files, &QPushButton::clicked, this, [this] {
    const QStringList f = QFileDialog::getOpenFileNames(this, tr("Episode files"), QString(), tr("Episode files (*.h5 *.hdf5)"));
    set_episode_files(episode_files() + f);
  });
  connect(remove_files, &QPushButton::clicked, this, [this] { qDeleteAll(files_->selectedItems()); });
  connect(start_, &QPushButton::clicked, this, &FineTuneDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &FineTuneDialog::cancel);
  connect(write_cmd, &QPushButton::clicked, this, [this] { write_script(false); });
  connect(write_slurm, &QPushButton::clicked, this, [this] { write_script(true); });
  connect(close, &QPushButton::clicked, this, &QDialog::hide);  // the job keeps running in the background
  // The job is polled, never waited on: the event loop keeps running while it trains.
  poll_timer_->setInterval(50);
  connect(poll_timer_, &QTimer::timeout, this, &FineTuneDialog::poll_job);
  update_buttons();
}

FineTuneDialog::~FineTuneDialog() = default;  // ~TrainJob stops a running job (SIGTERM, SIGKILL after 10 s)

void FineTuneDialog::set_episode_files(const QStringList& files) {
  files_->clear();
  QStringList unique;
  for (const QString& f : files)
    if (!f.isEmpty() && !unique.contains(f)) unique << f;
  files_->addItems(unique);
}

QStringList FineTuneDialog::episode_files() const {
  QStringList out;
  for (int i = 0; i < files_->count(); ++i) out << files_->item(i)->text();
  return out;
}

void FineTuneDialog::set_init_checkpoint(const QString& path) { init_->setText(path); }
void FineTuneDialog::set_wan_dir(const QString& dir) { wan_dir_ = dir.trimmed(); }

// Reading the config fills the hyper-parameter fields with its values, so Start without edits trains
// exactly what the file says.
void FineTuneDialog::set_config_file(const QString& path) {
  config_->setText(path);
  jobs::TrainJobSpec as_is;
  as_is.config_file = path.toStdString();
  nlohmann::json root;
  try {
    root = jobs::effective_config(as_is);
  } catch (const Error&) {
    return;  // Start and the scripts report what is wrong with it
  }
  const nlohmann::json& train = root.contains("train") ? root["train"] : root;
  if (train.contains("steps") && train["steps"].is_number()) steps_->setValue(train["steps"].get<int>());
  if (train.contains("lr") && train["lr"].is_number()) lr_->setValue(train["lr"].get<double>());
  if (train.contains("batch_size") && train["batch_size"].is_number()) batch_->setValue(train["batch_size"].get<int>());
}

void FineTuneDialog::set_steps(int steps) { steps_->setValue(steps); }
void FineTuneDialog::set_learning_rate(double lr) { lr_->setValue(lr); }
void FineTuneDialog::set_batch_size(int batch_size) { batch_->setValue(batch_size); }
void FineTuneDialog::set_run_dir(const QString& dir) { run_dir_->setText(dir); }
void FineTuneDialog::set_resume(bool resume) { resume_->setChecked(resume); }
QString FineTuneDialog::run_dir() const { return run_dir_->text().trimmed(); }
bool FineTuneDialog::running() const { return !job_finished_; }
int FineTuneDialog::last_step() const { return job_ ? static_cast<int>(job_->last_step()) : 0; }
int FineTuneDialog::total_steps() const { return job_ ? static_cast<int>(job_->total_steps()) : 0; }
QString FineTuneDialog::log_text() const { return log_->toPlainText(); }
QString FineTuneDialog::status_text() const { return status_->text(); }

jobs::TrainJobSpec FineTuneDialog::job_spec() const {
  jobs::TrainJobSpec spec;
  spec.program = program_.toStdString();
  for (const QString& f : episode_files()) spec.episode_files.push_back(f.toStdString());
  spec.init_checkpoint = init_->text().trimmed().toStdString();
  spec.wan_dir = wan_dir_.toStdString();
  spec.config_file = config_->text().trimmed().toStdString();
  spec.steps = steps_->value();
  spec.lr = lr_->value();
  spec.batch_size = batch_->value();
  spec.run_dir = run_dir().toStdString();
  spec.resume = resume_->isChecked();
  return spec;
}

QJsonObject FineTuneDialog::effective_config(QString* error) const {
  try {
    const std::string text = jobs::effective_config_text(job_spec());
    error->clear();
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
  } catch (const Error& e) {
    *error = QString::fromStdString(e.what());
    return {};
  }
}

QStringList FineTuneDialog::train_arguments(const QString& config_path) const {
  QStringList args;
  for (const auto& a : jobs::train_arguments(job_spec(), config_path.toStdString())) args << QString::fromStdString(a);
  return args;
}

bool FineTuneDialog::start() {
  if (running()) return false;
  try {
    job_ = std::make_unique<jobs::TrainJob>(job_spec());
  } catch (const Error& e) {
    set_status(QString::fromStdString(e.what()), true);
    return false;
  }
  job_finished_ = false;
  ++job_number_;
  plot_->clear();
  log_->clear();
  plot_->set_total_steps(steps_->value());
  bar_->setRange(0, steps_->value());
  bar_->setValue(0);
  eta_->clear();
  QStringList args;
  for (const auto& a : job_->arguments()) args << QString::fromStdString(a);
  append_log("$ " + QFileInfo(program_).fileName() + " " + args.join(' ') + "\n");
  set_status(tr("Starting…"));
  poll_timer_->start();
  update_buttons();
  return true;
}

void FineTuneDialog::cancel() {
  if (!running()) return;
  set_status(tr("Stopping (the job saves a checkpoint first)…"));
  job_->cancel();  // SIGTERM: xwam train checkpoints and exits
  // A job that does not stop in time is killed.
  QTimer::singleShot(20000, this, [this, number = job_number_] {
    if (number == job_number_ && running()) job_->kill();
  });
}

void FineTuneDialog::poll_job() {
  if (!job_ || job_finished_) return;
  const jobs::JobOutput out = job_->poll();
  for (const auto& event : out.events) on_event(event);
  if (!out.log.empty()) append_log(QString::fromStdString(out.log));
  if (out.finished) on_finished();
}

void FineTuneDialog::on_event(const jobs::TrainEvent& e) {
  using Kind = jobs::TrainEvent::Kind;
  const int step = static_cast<int>(e.step);
  const int total = total_steps();
  switch (e.kind) {
    case Kind::Text:
      append_log(QString::fromStdString(e.text) + "\n");
      break;
    case Kind::Checkpoint: {
      const QString dir = QString::fromStdString(jobs::model_checkpoint_dir(e.checkpoint));
      set_status(tr("Checkpoint at step %1: %2").arg(step).arg(dir));
      emit checkpoint_ready(dir);
      break;
    }
    case Kind::Eval:
      plot_->add_eval_loss(step, e.eval_loss);
      break;
    case Kind::Step:
      plot_->set_total_steps(total);
      plot_->add_loss(step, e.loss);
      bar_->setRange(0, std::max(1, total));
      bar_->setValue(step);
      eta_->setText(tr("step %1 / %2 · ETA %3").arg(step).arg(total).arg(eta_text(e.eta_s)));
      set_status(tr("Training: loss %1, %2 samples/s").arg(e.loss, 0, 'g', 4).arg(e.samples_per_s, 0, 'f', 2));
      emit progress(step, total, e.eta_s);
      break;
  }
}

void FineTuneDialog::on_finished() {
  poll_timer_->stop();
  job_finished_ = true;
  const int exit_code = job_->exit_code();
  const bool cancelled = job_->cancel_requested();
  if (cancelled) set_status(tr("Stopped at step %1 (checkpoint saved); tick “resume” and Start to continue.").arg(last_step()));
  else if (exit_code == 0) set_status(tr("Done: %1 steps; checkpoints are in the Run panel's picker.").arg(last_step()));
  else set_status(tr("The job failed (exit code %1); see the log below.").arg(exit_code), true);
  update_buttons();
  emit job_finished(exit_code, cancelled);
}

void FineTuneDialog::append_log(const QString& text) {
  log_->moveCursor(QTextCursor::End);
  log_->insertPlainText(text);
  log_->moveCursor(QTextCursor::End);
}

void FineTuneDialog::set_status(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? "color:#ff8080;" : "");
}

void FineTuneDialog::update_buttons() {
  start_->setEnabled(!running());
  cancel_->setEnabled(running());
}

QString FineTuneDialog::shell_script(QString* error) const {
  try {
    const std::string text = jobs::job_script(job_spec(), jobs::ScriptKind::Shell);
    error->clear();
    return QString::fromStdString(text);
  } catch (const Error& e) {
    *error = QString::fromStdString(e.what());
    return {};
  }
}

QString FineTuneDialog::slurm_script(QString* error) const {
  try {
    const std::string text = jobs::job_script(job_spec(), jobs::ScriptKind::Slurm);
    error->clear();
    return QString::fromStdString(text);
  } catch (const Error& e) {
    *error = QString::fromStdString(e.what());
    return {};
  }
}

bool FineTuneDialog::write_script(bool slurm) {
  QString error;
  const QString text = slurm ? slurm_script(&error) : shell_script(&error);
  if (!error.isEmpty()) {
    set_status(error, true);
    return false;
  }
  const QString suggested = QDir(run_dir().isEmpty() ? QDir::currentPath() : run_dir())
                                .filePath(slurm ? "finetune.sbatch" : "finetune.sh");
  const QString path = QFileDialog::getSaveFileName(this, slurm ? tr("Write Slurm script") : tr("Write command line"), suggested);
  if (path.isEmpty()) return false;
  try {
    // The save dialog has already asked before replacing a file.
    jobs::write_job_script(path.toStdString(), text.toStdString(), OutputOptions{true});
  } catch (const Error& e) {
    set_status(QString::fromStdString(e.what()), true);
    return false;
  }
  set_status(tr("Wrote %1").arg(path));
  return true;
}

}  // namespace xwam::widgets
