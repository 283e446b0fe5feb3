#include "widgets/Timeline.h"

#include <QSignalBlocker>
#include <vector>

#include "widgets/TimeModel.h"

#include <QHBoxLayout>
#include <QPainter>
#include <QStyleOptionSlider>
#include <QVBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

namespace xwam::widgets {

namespace {
// A thin strip under the slider with a tick at each marked frame, aligned with the slider's handle.
class MarksBar : public QWidget {
 public:
  MarksBar(QSlider* slider, const TimeModel* time, QWidget* parent) : QWidget(parent), slider_(slider), time_(time) {
    setFixedHeight(5);
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    const std::vector<int>& marks = time_->predicted_frames();
    if (marks.empty() || slider_->maximum() <= slider_->minimum()) return;
    QStyleOptionSlider opt;
    opt.initFrom(slider_);
    opt.orientation = Qt::Horizontal;
    opt.minimum = slider_->minimum();
    opt.maximum = slider_->maximum();
    const QRect groove = slider_->style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, slider_);
    const QRect handle = slider_->style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, slider_);
    const int span = groove.width() - handle.width();
    const int x0 = slider_->mapTo(parentWidget(), groove.topLeft()).x() - x() + handle.width() / 2;
    QPainter p(this);
    for (int f : marks) {
      const int x = x0 + QStyle::sliderPositionFromValue(opt.minimum, opt.maximum, f, span);
      p.fillRect(QRect(x - 1, 0, 3, height()), QColor(255, 160, 60));
    }
  }

 private:
  QSlider* slider_;
  const TimeModel* time_;
};
}  // namespace

Timeline::Timeline(TimeModel* time, QWidget* parent) : QWidget(parent), time_(time) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 2, 4, 2);
  auto* prev = new QToolButton(this);
  prev->setIcon(style()->standardIcon(QStyle::SP_MediaSeekBackward));
  prev->setToolTip(tr("Previous frame"));
  play_button_ = new QToolButton(this);
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_button_->setToolTip(tr("Play / pause"));
  auto* next = new QToolButton(this);
  next->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
  next->setToolTip(tr("Next frame"));
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setToolTip(tr("Orange ticks: frames with a prediction"));
  marks_bar_ = new MarksBar(slider_, time_, this);
  auto* slider_column = new QVBoxLayout;
  slider_column->setSpacing(0);
  slider_column->addWidget(slider_);
  slider_column->addWidget(marks_bar_);
  label_ = new QLabel(this);
  label_->setMinimumWidth(110);
  layout->addWidget(prev);
  layout->addWidget(play_button_);
  layout->addWidget(next);
  layout->addLayout(slider_column, 1);
  layout->addWidget(label_);

  connect(prev, &QToolButton::clicked, time_, [this] { time_->step(-1); });
  connect(next, &QToolButton::clicked, time_, [this] { time_->step(1); });
  connect(play_button_, &QToolButton::clicked, time_, &TimeModel::toggle_play);
  connect(slider_, &QSlider::valueChanged, time_, &TimeModel::set_frame);
  connect(time_, &TimeModel::frame_changed, this, &Timeline::show_frame);
  connect(time_, &TimeModel::range_changed, this, [this](int n) {
    const QSignalBlocker quiet(slider_);
    slider_->setRange(0, std::max(0, n - 1));
    slider_->setEnabled(n > 1);
    show_frame(time_->frame());
  });
  connect(time_, &TimeModel::predicted_frames_changed, marks_bar_, qOverload<>(&QWidget::update));
  connect(time_, &TimeModel::playing_changed, this, [this](bool playing) {
    play_button_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  });
  slider_->setEnabled(false);
  show_frame(0);
}

void Timeline::show_frame(int t) {
  const QSignalBlocker quiet(slider_);
  slider_->setValue(t);
  label_->setText(tr("frame %1 / %2").arg(t).arg(std::max(0, time_->num_frames() - 1)));
}

}  // namespace xwam::widgets
