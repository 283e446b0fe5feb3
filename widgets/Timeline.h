// Frame timeline: a slider, play/pause and step buttons over the TimeModel.
#pragma once
#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace xwam::widgets {
class TimeModel;

// A view of the studio's TimeModel: slider, play/pause and step buttons, and a tick under each frame
// that has a prediction. Every change goes through the model.
class Timeline : public QWidget {
  Q_OBJECT
 public:
  explicit Timeline(TimeModel* time, QWidget* parent = nullptr);
  TimeModel* time() const { return time_; }

 private:
  void show_frame(int t);

  TimeModel* time_;
  QSlider* slider_;
  QToolButton* play_button_;
  QLabel* label_;
  QWidget* marks_bar_;
};

}  // namespace xwam::widgets
