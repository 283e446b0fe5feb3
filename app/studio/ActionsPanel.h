// The Actions dock: the recorded and predicted action/state curves (editable), scale/offset edits of
// one dimension, and "Imagine edited actions" (an action-conditioned run of the edited chunk).
#pragma once
#include <QWidget>
#include <memory>

#include "engine/data/Episode.h"
#include "engine/pipeline/api/RolloutTypes.h"

class QComboBox;
class QPushButton;

namespace xwam::widgets {
class ActionPlot;
}

namespace xwam::studio {

class ActionsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ActionsPanel(QWidget* parent = nullptr);
  widgets::ActionPlot* plot() const { return plot_; }

  void set_episode(std::shared_ptr<const data::Episode> episode);  // recorded curves; clears predictions
  void set_predicted(const pipeline::ActionChunk& chunk);
  void set_predicted(const geometry::Rollout& rollout);  // a saved rollout's actions and states
  void clear_predicted();

 signals:
  void imagine_requested();

 private:
  void refill_dimensions();
  void update_imagine();

  widgets::ActionPlot* plot_;
  QComboBox* dimension_;
  QPushButton* imagine_;
};

}  // namespace xwam::studio
