#include "app/studio/RunHistory.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>

namespace xwam::studio {

QString run_label(int number, const RunSettings& settings, double total_ms) {
  const auto& r = settings.request;
  QString text = QString("#%1 · %2 · seed %3").arg(number).arg(pipeline::mode_name(r.mode)).arg(r.seed);
  if (!r.instruction.empty()) {
    QString instruction = QString::fromStdString(r.instruction);
    if (instruction.size() > 40) instruction = instruction.left(39) + "…";
    text += QString(" · “%1”").arg(instruction);
  }
  if (r.mode == pipeline::Mode::ActionConditioned) text += QObject::tr(" · edited actions");
  const QString checkpoint = QFileInfo(QString::fromStdString(settings.checkpoint)).fileName();
  if (!checkpoint.isEmpty() && checkpoint != "demo") text += " · " + checkpoint;
  text += total_ms >= 1000 ? QString(" · %1 s").arg(total_ms / 1000, 0, 'f', 1) : QString(" · %1 ms").arg(total_ms, 0, 'f', 0);
  return text;
}

RunHistory::RunHistory(QWidget* parent) : QWidget(parent) {
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  list_ = new QListWidget(this);
  list_->setToolTip(tr("Every rollout of this session. Double-click one to show it alone; pick two as A and B to compare."));
  a_ = new QComboBox(this);
  b_ = new QComboBox(this);
  compare_ = new QPushButton(tr("Compare A | B"), this);
  compare_->setToolTip(tr("Per camera recording | A | B on one timeline, both action chunks, the metrics of each and A − B."));
  layout->addWidget(list_, 0, 0, 1, 4);
  layout->addWidget(new QLabel(tr("A"), this), 1, 0);
  layout->addWidget(a_, 1, 1);
  layout->addWidget(new QLabel(tr("B"), this), 1, 2);
  layout->addWidget(b_, 1, 3);
  layout->addWidget(compare_, 2, 0, 1, 4);
  layout->setColumnStretch(1, 1);
  layout->setColumnStretch(3, 1);
  compare_->setEnabled(false);
  connect(compare_, &QPushButton::clicked, this, [this] { emit compare_requested(picked_a(), picked_b()); });
  connect(list_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) { emit show_requested(list_->row(item)); });
  auto enable = [this] { compare_->setEnabled(count() >= 2 && picked_a() != picked_b()); };
  connect(a_, &QComboBox::currentIndexChanged, this, enable);
  connect(b_, &QComboBox::currentIndexChanged, this, enable);
}

void RunHistory::add(const RunRecord& record) {
  auto* item = new QListWidgetItem(record.label, list_);
  item->setToolTip(QString::fromStdString(record.settings.request.instruction));
  const QString short_label = record.label.section(" · ", 0, 0);
  a_->addItem(short_label);
  b_->addItem(short_label);
  pick(count() - 1, count() - 2);
}

void RunHistory::clear() {
  list_->clear();
  a_->clear();
  b_->clear();
}

int RunHistory::count() const { return list_->count(); }
int RunHistory::picked_a() const { return a_->currentIndex(); }
int RunHistory::picked_b() const { return b_->currentIndex(); }

void RunHistory::pick(int a, int b) {
  if (a >= 0 && a < count()) a_->setCurrentIndex(a);
  if (b >= 0 && b < count()) b_->setCurrentIndex(b);
  compare_->setEnabled(count() >= 2 && picked_a() != picked_b());
}

}  // namespace xwam::studio
