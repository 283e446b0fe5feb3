#include "app/studio/ActionsPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "widgets/ActionPlot.h"

namespace xwam::studio {

ActionsPanel::ActionsPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* controls = new QHBoxLayout;
  auto* series = new QComboBox(this);
  series->addItems({tr("actions"), tr("states")});
  dimension_ = new QComboBox(this);
  auto* scale = new QDoubleSpinBox(this);
  scale->setRange(-10, 10);
  scale->setDecimals(2);
  scale->setValue(1.0);
  scale->setSingleStep(0.1);
  scale->setPrefix(tr("× "));
  auto* offset = new QDoubleSpinBox(this);
  offset->setRange(-10, 10);
  offset->setDecimals(3);
  offset->setSingleStep(0.005);
  offset->setPrefix(tr("+ "));
  auto* apply = new QPushButton(tr("Apply"), this);
  auto* reset = new QPushButton(tr("Reset edits"), this);
  imagine_ = new QPushButton(tr("Imagine edited actions"), this);
  imagine_->setToolTip(tr("Action-conditioned run: what the model predicts these actions would do"));
  imagine_->setEnabled(false);
  controls->addWidget(series);
  controls->addSpacing(12);
  controls->addWidget(new QLabel(tr("edit"), this));
  controls->addWidget(dimension_);
  controls->addWidget(scale);
  controls->addWidget(offset);
  controls->addWidget(apply);
  controls->addWidget(reset);
  controls->addStretch();
  controls->addWidget(new QLabel(tr("or drag the points"), this));
  controls->addWidget(imagine_);
  plot_ = new widgets::ActionPlot(this);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);

  connect(series, &QComboBox::currentIndexChanged, this, [this](int i) {
    plot_->set_series(i == 0 ? widgets::ActionPlot::Series::Actions : widgets::ActionPlot::Series::States);
    refill_dimensions();
  });
  connect(apply, &QPushButton::clicked, this, [this, scale, offset] {
    if (dimension_->currentIndex() >= 0) plot_->scale_offset(dimension_->currentData().toInt(), scale->value(), offset->value());
  });
  connect(reset, &QPushButton::clicked, plot_, &widgets::ActionPlot::reset_edits);
  connect(imagine_, &QPushButton::clicked, this, &ActionsPanel::imagine_requested);
}

void ActionsPanel::set_episode(std::shared_ptr<const data::Episode> episode) {
  plot_->set_recorded(std::move(episode));
  refill_dimensions();
  update_imagine();
}

void ActionsPanel::set_predicted(const pipeline::ActionChunk& chunk) {
  plot_->set_predicted(chunk.actions, chunk.action_frames, chunk.states, chunk.state_frames);
  update_imagine();
}

void ActionsPanel::set_predicted(const geometry::Rollout& rollout) {
  plot_->set_predicted(rollout.actions, rollout.action_frame_indices, rollout.states, rollout.frame_indices);
  update_imagine();
}

void ActionsPanel::clear_predicted() {
  plot_->clear_predicted();
  update_imagine();
}

// Only actions are edited (states follow from them).
void ActionsPanel::refill_dimensions() {
  dimension_->clear();
  if (plot_->series() != widgets::ActionPlot::Series::Actions) return;
  for (int d : plot_->dimensions()) dimension_->addItem(widgets::action_dimension_name(d), d);
}

void ActionsPanel::update_imagine() { imagine_->setEnabled(plot_->has_predicted()); }

}  // namespace xwam::studio
