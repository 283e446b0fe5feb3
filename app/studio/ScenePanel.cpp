#include "app/studio/ScenePanel.h"

#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <algorithm>

namespace xwam::studio {

ScenePanel::ScenePanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  episodes_ = new QListWidget(this);
  episodes_->setMaximumHeight(120);
  info_ = new QLabel(this);
  info_->setWordWrap(true);
  form->addRow(tr("Episodes"), episodes_);
  form->addRow(info_);
  connect(episodes_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0) emit episode_chosen(row);
  });
}

void ScenePanel::set_listing(const SceneListing& listing, int row) {
  episodes_->blockSignals(true);
  episodes_->clear();
  for (const auto& s : listing.episodes)
    episodes_->addItem(QString("%1  (%2 frames)").arg(QString::fromStdString(s.name)).arg(s.num_frames));
  episodes_->blockSignals(false);
  episodes_->setCurrentRow(std::clamp(row, 0, std::max(0, episodes_->count() - 1)));
}

void ScenePanel::show_episode(const data::Episode& e) {
  const QString success = e.success ? (*e.success ? tr("yes") : tr("no")) : tr("unknown");
  info_->setText(tr("<b>%1</b> · task %2<br>%3 frames at %4 fps · %5 cameras · recorded success: %6"
                    "<br>recorded instruction: <i>%7</i>")
                     .arg(QString::fromStdString(e.name))
                     .arg(e.task.empty() ? "-" : QString::fromStdString(e.task))
                     .arg(e.num_frames)
                     .arg(e.fps)
                     .arg(e.cameras.size())
                     .arg(success)
                     .arg(QString::fromStdString(e.instruction).toHtmlEscaped()));
}

}  // namespace xwam::studio
