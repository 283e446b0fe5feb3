#include "widgets/TimeModel.h"

#include <QTimer>
#include <algorithm>

namespace xwam::widgets {

TimeModel::TimeModel(QObject* parent) : QObject(parent), timer_(new QTimer(this)) {
  connect(timer_, &QTimer::timeout, this, [this] { set_frame(frame_ + 1 < num_frames_ ? frame_ + 1 : 0); });
  timer_->setInterval(100);
}

void TimeModel::set_range(int num_frames, double fps) {
  pause();
  num_frames_ = std::max(0, num_frames);
  timer_->setInterval(static_cast<int>(1000.0 / std::max(1.0, fps)));
  predicted_.clear();
  frame_ = 0;
  emit range_changed(num_frames_);
  emit predicted_frames_changed();
  emit frame_changed(frame_);
}

bool TimeModel::playing() const { return timer_->isActive(); }

void TimeModel::set_predicted_frames(std::vector<int> frames) {
  predicted_ = std::move(frames);
  emit predicted_frames_changed();
}

int TimeModel::predicted_index() const {
  const auto after = std::upper_bound(predicted_.begin(), predicted_.end(), frame_);
  return static_cast<int>(after - predicted_.begin()) - 1;
}

void TimeModel::set_frame(int t) {
  t = std::clamp(t, 0, std::max(0, num_frames_ - 1));
  if (t == frame_) return;
  frame_ = t;
  emit frame_changed(frame_);
}

void TimeModel::step(int delta) { set_frame(frame_ + delta); }

void TimeModel::play() {
  if (num_frames_ < 2 || playing()) return;
  timer_->start();
  emit playing_changed(true);
}

void TimeModel::pause() {
  if (!playing()) return;
  timer_->stop();
  emit playing_changed(false);
}

void TimeModel::toggle_play() { playing() ? pause() : play(); }

}  // namespace xwam::widgets
