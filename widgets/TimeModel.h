// The one notion of time in the studio: the current episode frame, playback at the episode's rate,
// and which frames have a prediction. The timeline, camera tiles, 3D view and plots observe it; none
// of them keeps a frame of its own.
//
//   TimeModel time;
//   connect(&time, &TimeModel::frame_changed, grid, &CameraGrid::set_frame);
//   time.set_range(episode.num_frames, episode.fps);
//   time.set_predicted_frames({4, 8, 12});   // episode frames with a predicted frame
//   time.play();
#pragma once
#include <QObject>
#include <vector>

class QTimer;

namespace xwam::widgets {

class TimeModel : public QObject {
  Q_OBJECT
 public:
  explicit TimeModel(QObject* parent = nullptr);

  // Pauses, moves to frame 0 and clears the predicted frames.
  void set_range(int num_frames, double fps);
  int num_frames() const { return num_frames_; }
  int frame() const { return frame_; }
  bool playing() const;

  // Episode frames (increasing) that have a predicted frame; empty clears them.
  void set_predicted_frames(std::vector<int> frames);
  const std::vector<int>& predicted_frames() const { return predicted_; }
  // The predicted frame shown at the current frame: the latest at or before it, -1 before the first.
  int predicted_index() const;

 public slots:
  void set_frame(int t);  // clamped into the range
  void step(int delta);
  void play();            // loops: rollouts are short, and looping is what reviewers expect
  void pause();
  void toggle_play();

 signals:
  void frame_changed(int t);
  void range_changed(int num_frames);
  void predicted_frames_changed();
  void playing_changed(bool playing);

 private:
  QTimer* timer_;
  int num_frames_ = 0, frame_ = 0;
  std::vector<int> predicted_;
};

}  // namespace xwam::widgets
