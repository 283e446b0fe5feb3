#include "widgets/Timeline.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace xwam::widgets {

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
  label_ = new QLabel(this);
  label_->setMinimumWidth(110);
  layout->addWidget(prev);
  layout->addWidget(play_button_);
  layout->addWidget(next);
  layout->addWidget(slider_, 1);
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
