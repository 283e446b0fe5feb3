#include "widgets/FineTuneDialog.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
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
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "widgets/LossPlot.h"

namespace xwam::widgets {

namespace {
// Single-quoted for a POSIX shell.
QString shell_quote(const QString& s) {
  QString out = s;
  out.replace("'", "'\\''");
  return "'" + out + "'";
}

QString eta_text(double seconds) {
  if (!(seconds >= 0)) return {};
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? QString("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
         : s >= 60 ? QString("%1 min %2 s").arg(s / 60).arg(s % 60)
                   : QString("%1 s").arg(s);
}
}  // namespace

FineTuneDialog::FineTuneDialog(const QString& xwam_program, QWidget* parent)
    : QDialog(parent), program_(xwam_program), process_(new QProcess(this)) {
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
  connect(process_, &QProcess::readyReadStandardOutput, this, &FineTuneDialog::on_stdout);
  connect(process_, &QProcess::readyReadStandardError, this, &FineTuneDialog::on_stderr);
  connect(process_, &QProcess::finished, this, &FineTuneDialog::on_finished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) {
      set_status(tr("Could not start %1: %2").arg(program_, process_->errorString()), true);
      update_buttons();
    }
  });
  update_buttons();
}

FineTuneDialog::~FineTuneDialog() {
  if (!running()) return;
  process_->terminate();
  if (!process_->waitForFinished(10000)) process_->kill(), process_->waitForFinished(2000);
}

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
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return;
  const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
  const QJsonObject train = root.contains("train") ? root.value("train").toObject() : root;
  if (train.contains("steps")) steps_->setValue(train.value("steps").toInt());
  if (train.contains("lr")) lr_->setValue(train.value("lr").toDouble());
  if (train.contains("batch_size")) batch_->setValue(train.value("batch_size").toInt());
}

void FineTuneDialog::set_steps(int steps) { steps_->setValue(steps); }
void FineTuneDialog::set_learning_rate(double lr) { lr_->setValue(lr); }
void FineTuneDialog::set_batch_size(int batch_size) { batch_->setValue(batch_size); }
void FineTuneDialog::set_run_dir(const QString& dir) { run_dir_->setText(dir); }
void FineTuneDialog::set_resume(bool resume) { resume_->setChecked(resume); }
QString FineTuneDialog::run_dir() const { return run_dir_->text().trimmed(); }
bool FineTuneDialog::running() const { return process_->state() != QProcess::NotRunning; }
QString FineTuneDialog::log_text() const { return log_->toPlainText(); }
QString FineTuneDialog::status_text() const { return status_->text(); }

QJsonObject FineTuneDialog::effective_config(QString* error) const {
  const QString path = config_->text().trimmed();
  QFile file(path);
  if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
    *error = path.isEmpty() ? tr("Choose a training config (JSON).") : tr("%1: cannot read the config").arg(path);
    return {};
  }
  QJsonParseError parse;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
  if (!doc.isObject()) {
    *error = tr("%1: not a JSON object (%2)").arg(path, parse.errorString());
    return {};
  }
  QJsonObject root = doc.object();
  // Training keys sit under "train" or at the top level (both layouts are accepted by xwam train).
  const bool nested = root.contains("train");
  QJsonObject train = nested ? root.value("train").toObject() : root;
  train["steps"] = steps_->value();
  train["lr"] = lr_->value();
  train["batch_size"] = batch_->value();
  if (nested) root["train"] = train;
  else root = train;
  error->clear();
  return root;
}

QStringList FineTuneDialog::train_arguments(const QString& config_path) const {
  QStringList args{"train", "--config", config_path, "--data"};
  args << episode_files();
  // Absolute, so the checkpoint paths the job reports do not depend on its working directory.
  args << "--out" << QFileInfo(run_dir()).absoluteFilePath();
  if (resume_->isChecked()) args << "--resume";
  else if (!init_->text().trimmed().isEmpty()) args << "--init" << init_->text().trimmed();
  if (!resume_->isChecked() && !init_->text().trimmed().isEmpty() && !wan_dir_.isEmpty()) args << "--wan-dir" << wan_dir_;
  return args;
}

bool FineTuneDialog::start() {
  if (running()) return false;
  QString error;
  const QJsonObject config = effective_config(&error);
  if (error.isEmpty() && episode_files().isEmpty()) error = tr("Add at least one episode file.");
  if (error.isEmpty() && run_dir().isEmpty()) error = tr("Choose a run directory.");
  if (error.isEmpty() && !QFileInfo(program_).isExecutable()) error = tr("The xwam program is not at %1.").arg(program_);
  if (error.isEmpty() && !QDir().mkpath(run_dir())) error = tr("%1: cannot create the run directory").arg(run_dir());
  // The effective config lives in the run directory, so the run documents itself.
  const QString config_path = QDir(run_dir()).filePath("studio-config.json");
  if (error.isEmpty()) {
    QSaveFile out(config_path);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(config).toJson()) < 0 || !out.commit())
      error = tr("%1: cannot write the config").arg(config_path);
  }
  if (!error.isEmpty()) {
    set_status(error, true);
    return false;
  }
  plot_->clear();
  log_->clear();
  stdout_buffer_.clear();
  stderr_buffer_.clear();
  last_step_ = 0;
  total_steps_ = steps_->value();
  plot_->set_total_steps(total_steps_);
  bar_->setRange(0, total_steps_);
  bar_->setValue(0);
  eta_->clear();
  cancel_requested_ = false;
  const QStringList args = train_arguments(config_path);
  append_log("$ " + QFileInfo(program_).fileName() + " " + args.join(' ') + "\n");
  set_status(tr("Starting…"));
  process_->start(program_, args);
  update_buttons();
  return true;
}

void FineTuneDialog::cancel() {
  if (!running()) return;
  cancel_requested_ = true;
  set_status(tr("Stopping (the job saves a checkpoint first)…"));
  process_->terminate();  // SIGTERM: xwam train checkpoints and exits
  // A job that does not stop in time is killed.
  QTimer::singleShot(20000, process_, [p = process_] {
    if (p->state() != QProcess::NotRunning) p->kill();
  });
}

void FineTuneDialog::on_stdout() {
  stdout_buffer_ += process_->readAllStandardOutput();
  int nl;
  while ((nl = stdout_buffer_.indexOf('\n')) >= 0) {
    const QByteArray line = stdout_buffer_.left(nl).trimmed();
    stdout_buffer_.remove(0, nl + 1);
    if (!line.isEmpty()) on_json_line(line);
  }
}

void FineTuneDialog::on_stderr() {
  stderr_buffer_ += process_->readAllStandardError();
  const int last = stderr_buffer_.lastIndexOf('\n');
  if (last < 0) return;
  append_log(QString::fromUtf8(stderr_buffer_.left(last + 1)));
  stderr_buffer_.remove(0, last + 1);
}

void FineTuneDialog::on_json_line(const QByteArray& line) {
  const QJsonDocument doc = QJsonDocument::fromJson(line);
  if (!doc.isObject()) {
    append_log(QString::fromUtf8(line) + "\n");
    return;
  }
  const QJsonObject j = doc.object();
  const int step = j.value("step").toInt(last_step_);
  if (j.contains("total_steps")) total_steps_ = j.value("total_steps").toInt(total_steps_);
  if (j.contains("checkpoint")) {
    // A trainer checkpoint directory holds the model checkpoint in weights/ (plus optimizer state).
    QString dir = QFileInfo(j.value("checkpoint").toString()).absoluteFilePath();
    if (QFileInfo(QDir(dir).filePath("weights")).isDir()) dir = QDir(dir).filePath("weights");
    set_status(tr("Checkpoint at step %1: %2").arg(step).arg(dir));
    emit checkpoint_ready(dir);
  } else if (j.contains("eval_loss")) {
    plot_->add_eval_loss(step, j.value("eval_loss").toDouble());
  } else if (j.contains("loss")) {
    last_step_ = step;
    plot_->set_total_steps(total_steps_);
    plot_->add_loss(step, j.value("loss").toDouble());
    bar_->setRange(0, std::max(1, total_steps_));
    bar_->setValue(step);
    const double eta = j.value("eta_s").toDouble(-1);
    eta_->setText(tr("step %1 / %2 · ETA %3").arg(step).arg(total_steps_).arg(eta_text(eta)));
    set_status(tr("Training: loss %1, %2 samples/s").arg(j.value("loss").toDouble(), 0, 'g', 4)
                   .arg(j.value("samples_per_s").toDouble(), 0, 'f', 2));
    emit progress(step, total_steps_, eta);
  }
}

void FineTuneDialog::on_finished(int exit_code, QProcess::ExitStatus status) {
  on_stdout();
  if (!stderr_buffer_.isEmpty()) append_log(QString::fromUtf8(stderr_buffer_) + "\n"), stderr_buffer_.clear();
  const bool cancelled = cancel_requested_;
  if (cancelled) set_status(tr("Stopped at step %1 (checkpoint saved); tick “resume” and Start to continue.").arg(last_step_));
  else if (status == QProcess::NormalExit && exit_code == 0) set_status(tr("Done: %1 steps; checkpoints are in the Run panel's picker.").arg(last_step_));
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

// The part both scripts share: the run directory with the effective config embedded, and the command.
bool FineTuneDialog::script_parts(QString* prelude, QString* command, QString* error) const {
  const QJsonObject config = effective_config(error);
  if (!error->isEmpty()) return false;
  const QString dir = run_dir().isEmpty() ? QStringLiteral("xwam-run") : run_dir();
  *prelude = QString("RUNDIR=%1\n"
                     "mkdir -p \"$RUNDIR\"\n"
                     "cat > \"$RUNDIR/studio-config.json\" <<'JSON'\n%2JSON\n")
                 .arg(shell_quote(dir), QString::fromUtf8(QJsonDocument(config).toJson()));
  QStringList words{shell_quote(program_), "train", "--config", "\"$RUNDIR/studio-config.json\"", "--data"};
  for (const QString& f : episode_files()) words << shell_quote(f);
  words << "--out" << "\"$RUNDIR\"";
  if (resume_->isChecked()) words << "--resume";
  else if (!init_->text().trimmed().isEmpty()) words << "--init" << shell_quote(init_->text().trimmed());
  if (!resume_->isChecked() && !init_->text().trimmed().isEmpty() && !wan_dir_.isEmpty())
    words << "--wan-dir" << shell_quote(wan_dir_);
  *command = words.join(' ');
  return true;
}

QString FineTuneDialog::shell_script(QString* error) const {
  QString prelude, command;
  if (!script_parts(&prelude, &command, error)) return {};
  return "#!/bin/bash\n"
         "# Fine-tune X-WAM: the job of X-WAM Studio's fine-tune dialog as a command line.\n"
         "set -euo pipefail\n" +
         prelude + command + " \"$@\"\n";
}

QString FineTuneDialog::slurm_script(QString* error) const {
  QString prelude, command;
  if (!script_parts(&prelude, &command, error)) return {};
  // One task per GPU; each task takes its torchrun-style rank from Slurm's numbering.
  return "#!/bin/bash\n"
         "# Fine-tune X-WAM on a Slurm cluster: one task per GPU, data-parallel over c10d (NCCL).\n"
         "#SBATCH --job-name=xwam-finetune\n"
         "#SBATCH --nodes=1\n"
         "#SBATCH --ntasks-per-node=8\n"
         "#SBATCH --gpus-per-node=8\n"
         "#SBATCH --cpus-per-task=8\n"
         "#SBATCH --time=24:00:00\n"
         "#SBATCH --output=%x-%j.out\n"
         "set -euo pipefail\n" +
         prelude +
         "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n"
         "export MASTER_PORT=${MASTER_PORT:-29500}\n"
         "export WORLD_SIZE=$SLURM_NTASKS\n"
         "srun bash -c 'export RANK=$SLURM_PROCID LOCAL_RANK=$SLURM_LOCALID; exec \"$0\" \"$@\"' \\\n  " +
         command + " --device cuda\n";
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
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0 || !out.commit()) {
    set_status(tr("%1: cannot write").arg(path), true);
    return false;
  }
  QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner | QFileDevice::ExeGroup);
  set_status(tr("Wrote %1").arg(path));
  return true;
}

}  // namespace xwam::widgets
