// Every camera of an episode at one frame: RGB beside a depth colormap, with the camera's name.
#pragma once
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/data/Episode.h"

class QGridLayout;
class QLabel;

namespace xwam::widgets {
class ImageView;
}

namespace xwam::widgets {

// One column per camera: name and calibration, RGB, depth colormap with its range in metres.
// Shows a shared, immutable episode (the GUI never mutates engine data). Call from the GUI thread.
class CameraGrid : public QWidget {
  Q_OBJECT
 public:
  explicit CameraGrid(QWidget* parent = nullptr);
  void set_episode(std::shared_ptr<const data::Episode> episode);
  int frame() const { return frame_; }
  // The image a camera's RGB tile currently shows (for tests and export).
  QImage shown_rgb(int camera) const;

 public slots:
  void set_frame(int t);

 private:
  void refresh();
  struct Tile {
    QLabel* title = nullptr;
    ImageView* rgb = nullptr;
    ImageView* depth = nullptr;
    QLabel* legend = nullptr;
    std::pair<float, float> depth_range{0.f, 1.f};
  };
  std::shared_ptr<const data::Episode> episode_;
  std::vector<Tile> tiles_;
  QGridLayout* layout_ = nullptr;
  QLabel* placeholder_ = nullptr;
  int frame_ = 0;
};

}  // namespace xwam::widgets
