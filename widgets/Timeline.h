// Frame timeline: a slider, play/pause and step buttons, and playback at the episode's frame rate.
#pragma once
#include <QWidget>
#include <vector>

class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace xwam::widgets {

// A small model widgets command (Rerun-style): set_range(), set_frame(), play(), pause(), step().
// Emits frame_changed whenever the current frame changes, by the user or by playback.
class Timeline : public QWidget {
  Q_OBJECT
 public:
  explicit Timeline(QWidget* parent = nullptr);
  void set_range(int num_frames, double fps);
  int frame() const;
  bool playing() const;
  // Frames to mark under the slider (e.g. the predicted ones); empty clears the marks.
  void set_marks(const std::vector<int>& frames);
  const std::vector<int>& marks() const { return marks_; }

 public slots:
  void set_frame(int t);
  void play();
  void pause();
  void toggle_play();
  void step(int delta);

 signals:
  void frame_changed(int t);

 private:
  QSlider* slider_;
  QToolButton* play_button_;
  QLabel* label_;
  QTimer* timer_;
  QWidget* marks_bar_;
  std::vector<int> marks_;
  int num_frames_ = 0;
};

}  // namespace xwam::widgets
