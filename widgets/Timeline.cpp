#include "widgets/Timeline.h"

#include <QHBoxLayout>
#include <QPainter>
#include <QStyleOptionSlider>
#include <QVBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace xwam::widgets {

namespace {
// A thin strip under the slider with a tick at each marked frame, aligned with the slider's handle.
class MarksBar : public QWidget {
 public:
  MarksBar(QSlider* slider, const std::vector<int>& marks, QWidget* parent)
      : QWidget(parent), slider_(slider), marks_(marks) {
    setFixedHeight(5);
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    if (marks_.empty() || slider_->maximum() <= slider_->minimum()) return;
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
    for (int f : marks_) {
      const int x = x0 + QStyle::sliderPositionFromValue(opt.minimum, opt.maximum, f, span);
      p.fillRect(QRect(x - 1, 0, 3, height()), QColor(255, 160, 60));
    }
  }

 private:
  QSlider* slider_;
  const std::vector<int>& marks_;
};
}  // namespace

Timeline::Timeline(QWidget* parent) : QWidget(parent) {
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
  marks_bar_ = new MarksBar(slider_, marks_, this);
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
  timer_ = new QTimer(this);

  connect(prev, &QToolButton::clicked, this, [this] { step(-1); });
  connect(next, &QToolButton::clicked, this, [this] { step(1); });
  connect(play_button_, &QToolButton::clicked, this, &Timeline::toggle_play);
  connect(slider_, &QSlider::valueChanged, this, [this](int t) {
    label_->setText(tr("frame %1 / %2").arg(t).arg(std::max(0, num_frames_ - 1)));
    emit frame_changed(t);
  });
  connect(timer_, &QTimer::timeout, this, [this] {
    // Loop playback: a rollout is short, and looping is what reviewers expect.
    set_frame(frame() + 1 < num_frames_ ? frame() + 1 : 0);
  });
  set_range(0, 10.0);
}

void Timeline::set_range(int num_frames, double fps) {
  pause();
  num_frames_ = num_frames;
  slider_->setRange(0, std::max(0, num_frames - 1));
  slider_->setEnabled(num_frames > 1);
  timer_->setInterval(static_cast<int>(1000.0 / std::max(1.0, fps)));
  slider_->setValue(0);
  label_->setText(tr("frame %1 / %2").arg(0).arg(std::max(0, num_frames - 1)));
}

int Timeline::frame() const { return slider_->value(); }

void Timeline::set_marks(const std::vector<int>& frames) {
  marks_ = frames;
  marks_bar_->update();
}
bool Timeline::playing() const { return timer_->isActive(); }
void Timeline::set_frame(int t) { slider_->setValue(t); }

void Timeline::play() {
  if (num_frames_ < 2) return;
  timer_->start();
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
}

void Timeline::pause() {
  timer_->stop();
  play_button_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
}

void Timeline::toggle_play() { playing() ? pause() : play(); }
void Timeline::step(int delta) { set_frame(std::clamp(frame() + delta, 0, std::max(0, num_frames_ - 1))); }

}  // namespace xwam::widgets
