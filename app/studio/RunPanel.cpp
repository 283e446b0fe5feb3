#include "app/studio/RunPanel.h"

#include <algorithm>

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>

namespace xwam::studio {

RunPanel::RunPanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  instruction_ = new QLineEdit(this);
  instruction_->setPlaceholderText(tr("instruction for the model (what if…?)"));
  instruction_->setClearButtonEnabled(true);
  instruction_->setToolTip(tr("Starts as the episode's own instruction; edit it to ask what the model "
                              "predicts for another one. Enter runs."));
  form->addRow(tr("Instruction"), instruction_);

  checkpoint_ = new QComboBox(this);
  checkpoint_->setEditable(true);
  checkpoint_->setInsertPolicy(QComboBox::NoInsert);
  checkpoint_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  checkpoint_->setMinimumContentsLength(12);
  checkpoint_->setToolTip(tr("A checkpoint directory (config.json + model.safetensors), a released X-WAM "
                             "checkpoint, or a training run directory (its latest checkpoint)"));
  auto* browse = new QToolButton(this);
  browse->setText(tr("…"));
  browse->setToolTip(tr("Choose a checkpoint directory"));
  auto* ckpt_row = new QHBoxLayout;
  ckpt_row->addWidget(checkpoint_, 1);
  ckpt_row->addWidget(browse);
  form->addRow(tr("Checkpoint"), ckpt_row);
  checkpoint_note_ = new QLabel(this);
  checkpoint_note_->setWordWrap(true);
  checkpoint_note_->setStyleSheet("color:#e08080; font-size:11px;");
  checkpoint_note_->hide();
  form->addRow(checkpoint_note_);

  wan_dir_ = new QLineEdit(this);
  wan_dir_->setPlaceholderText(tr("only for released X-WAM runs"));
  wan_dir_->setClearButtonEnabled(true);
  wan_dir_->setToolTip(tr("The Wan2.2-TI2V-5B folder (as --wan-dir). A released X-WAM run does not contain its "
                          "umT5 tokenizer; it is read from google/umt5-xxl/spiece.model in this folder"));
  auto* wan_browse = new QToolButton(this);
  wan_browse->setText(tr("…"));
  wan_browse->setToolTip(tr("Choose the Wan2.2 folder"));
  auto* wan_row = new QHBoxLayout;
  wan_row->addWidget(wan_dir_, 1);
  wan_row->addWidget(wan_browse);
  form->addRow(tr("Wan2.2 dir"), wan_row);

  device_ = new QComboBox(this);
  for (const QString& name : RolloutRunner::devices())
    device_->addItem(name == "cpu" ? tr("CPU") : name.toUpper().replace("CUDA:", "CUDA GPU "), name);
  device_->setToolTip(tr("Where the network runs (as --device). The checkpoint reloads when this changes"));
  dtype_ = new QComboBox(this);
  dtype_->addItem(tr("default"), QString());
  dtype_->addItem("bfloat16", "bfloat16");
  dtype_->addItem("float16", "float16");
  dtype_->addItem("float32", "float32");
  dtype_->setToolTip(tr("The network's weight precision (as --dtype): default is bfloat16 on a GPU, float32 on the "
                        "CPU; float16 needs a GPU"));
  auto* device_row = new QHBoxLayout;
  device_row->addWidget(device_, 1);
  device_row->addWidget(dtype_);
  form->addRow(tr("Device"), device_row);

  mode_ = new QComboBox(this);
  mode_->addItem(tr("X-WAM (action first)"), "xwam");
  mode_->addItem(tr("synchronous"), "sync");
  mode_->addItem(tr("Fast-WAM (actions only)"), "fastwam");
  mode_->addItem(tr("action-conditioned"), "action-conditioned");
  mode_->setToolTip(tr("action-conditioned runs imagine the consequence of given actions: use "
                       "“Imagine edited actions” in the Actions panel"));
  form->addRow(tr("Mode"), mode_);

  auto spin = [this](int lo, int hi, int value) {
    auto* s = new QSpinBox(this);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
  };
  steps_action_ = spin(1, 200, 10);
  steps_video_ = spin(1, 500, 50);
  auto* steps_row = new QHBoxLayout;
  steps_row->addWidget(new QLabel(tr("action"), this));
  steps_row->addWidget(steps_action_);
  steps_row->addWidget(new QLabel(tr("video"), this));
  steps_row->addWidget(steps_video_);
  form->addRow(tr("Steps"), steps_row);
  seed_ = spin(0, 1 << 30, 0);
  start_frame_ = spin(0, 0, 0);
  start_frame_->setToolTip(tr("Episode frame the prediction starts from (the observation O₀)"));
  auto* seed_row = new QHBoxLayout;
  seed_row->addWidget(seed_);
  seed_row->addWidget(new QLabel(tr("start frame"), this));
  seed_row->addWidget(start_frame_);
  form->addRow(tr("Seed"), seed_row);

  run_ = new QPushButton(tr("Run"), this);
  run_->setToolTip(tr("Predict actions, then video and depth (Ctrl+R)"));
  run_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Stop the running prediction (Esc)"));
  cancel_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_, 1);
  buttons->addWidget(cancel_);
  form->addRow(buttons);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  progress_->setMaximumHeight(10);
  stage_ = new QLabel(tr("idle"), this);
  result_ = new QLabel(this);
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(progress_);
  form->addRow(stage_);
  form->addRow(result_);

  connect(run_, &QPushButton::clicked, this, &RunPanel::run_requested);
  connect(cancel_, &QPushButton::clicked, this, &RunPanel::cancel_requested);
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a checkpoint directory"), checkpoint());
    if (!dir.isEmpty()) set_checkpoint(dir);
  });
  connect(wan_browse, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the Wan2.2-TI2V-5B folder"), wan_dir());
    if (!dir.isEmpty()) set_wan_dir(dir);
  });
  connect(checkpoint_, &QComboBox::currentTextChanged, this, [this] {
    check_checkpoint();
    emit checkpoint_changed(checkpoint());
  });
}

// Says at once when the chosen checkpoint is not on disk (e.g. the demo in a checkout without it).
void RunPanel::check_checkpoint() {
  const QString path = checkpoint();
  const bool missing = !path.isEmpty() && !QFileInfo::exists(path);
  checkpoint_note_->setText(missing ? tr("not found: %1").arg(path) : QString());
  checkpoint_note_->setVisible(missing);
}

RunSettings RunPanel::settings() const {
  // The combos hold the engine's own names, so these parse.
  RunSettings s;
  s.checkpoint = checkpoint().toStdString();
  s.wan_dir = wan_dir().toStdString();
  s.device = pipeline::device_named(device_->currentData().toString().toStdString(), "device");
  s.dtype = pipeline::dtype_from_name(dtype_->currentData().toString().toStdString(), "precision");
  s.request.mode = pipeline::parse_mode(mode_->currentData().toString().toStdString(), "mode");
  s.request.steps_action = steps_action_->value();
  s.request.steps_video = steps_video_->value();
  s.request.seed = static_cast<uint64_t>(seed_->value());
  s.request.start_frame = start_frame_->value();
  return s;
}

// The combo shows short labels; the path is the item data (or the typed text). Labels need not be
// unique (two runs named "run"), so the current item comes first.
QString RunPanel::checkpoint() const {
  const int current = checkpoint_->currentIndex();
  if (current >= 0 && checkpoint_->itemText(current) == checkpoint_->currentText() &&
      checkpoint_->itemData(current).isValid())
    return checkpoint_->itemData(current).toString();
  const int row = checkpoint_->findText(checkpoint_->currentText());
  if (row >= 0 && checkpoint_->itemData(row).isValid()) return checkpoint_->itemData(row).toString();
  return checkpoint_->currentText().trimmed();
}

namespace {
// "RUN · step 200" for RUN/checkpoints/step_00000200[/weights], the folder or file name otherwise.
QString short_label(const QString& path) {
  static const QRegularExpression trained("([^/]+)/checkpoints/step_0*(\\d+)(/weights)?$");
  const QRegularExpressionMatch m = trained.match(path);
  if (m.hasMatch()) return QString("%1 · step %2").arg(m.captured(1), m.captured(2));
  return QFileInfo(path).fileName();
}
}  // namespace

int RunPanel::add_checkpoint(const QString& path, const QString& label) {
  const QString clean = QDir::cleanPath(path);
  const int existing = checkpoint_->findData(clean);
  if (existing >= 0) return existing;
  checkpoint_->addItem(label.isEmpty() ? short_label(clean) : label, clean);
  checkpoint_->setItemData(checkpoint_->count() - 1, clean, Qt::ToolTipRole);
  return checkpoint_->count() - 1;
}

void RunPanel::set_checkpoint(const QString& path) { checkpoint_->setCurrentIndex(add_checkpoint(path)); }

QString RunPanel::wan_dir() const { return wan_dir_->text().trimmed(); }
void RunPanel::set_wan_dir(const QString& dir) { wan_dir_->setText(dir); }

void RunPanel::set_device(const QString& device, const QString& dtype) {
  device_->setCurrentIndex(std::max(0, device_->findData(device)));
  dtype_->setCurrentIndex(std::max(0, dtype_->findData(dtype)));
}

QStringList RunPanel::checkpoints() const {
  QStringList out;
  for (int i = 0; i < checkpoint_->count(); ++i) out << checkpoint_->itemData(i).toString();
  return out;
}

QStringList RunPanel::checkpoint_labels() const {
  QStringList out;
  for (int i = 0; i < checkpoint_->count(); ++i) out << checkpoint_->itemText(i);
  return out;
}

void RunPanel::set_mode(const QString& mode) {
  const int row = mode_->findData(mode);
  if (row >= 0) mode_->setCurrentIndex(row);
}

void RunPanel::set_steps(int steps_action, int steps_video) {
  steps_action_->setValue(steps_action);
  steps_video_->setValue(steps_video);
}

void RunPanel::set_seed(quint64 seed) { seed_->setValue(static_cast<int>(seed)); }

void RunPanel::set_start_frame(int frame, int num_frames) {
  start_frame_->setMaximum(std::max(0, num_frames - 1));
  start_frame_->setValue(frame);
}

int RunPanel::start_frame() const { return start_frame_->value(); }

void RunPanel::set_running(bool running) {
  run_->setEnabled(!running);
  cancel_->setEnabled(running);
  if (running) {
    progress_->setRange(0, 0);  // busy until the first stage reports
    stage_->setText(tr("starting…"));
  }
}

void RunPanel::set_progress(int value, int maximum, const QString& stage) {
  progress_->setRange(0, std::max(0, maximum));
  progress_->setValue(value);
  stage_->setText(stage);
}

void RunPanel::set_result_text(const QString& text) { result_->setText(text); }

}  // namespace xwam::studio
