// Every camera of an episode at one frame: recorded RGB and depth colormap beside the predicted ones
// (when a rollout is shown), with the camera's name and depth range.
#pragma once
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/geometry/Rollout.h"

class QGridLayout;
class QLabel;

namespace xwam::widgets {
class ImageView;
}

namespace xwam::widgets {

// One column pair per camera: recorded | predicted, RGB above depth (same colour range for both); in a
// what-if comparison a third column: recorded | A | B, all at the same predicted frame.
// Shows shared, immutable data (the GUI never mutates engine data). Call from the GUI thread.
class CameraGrid : public QWidget {
  Q_OBJECT
 public:
  explicit CameraGrid(QWidget* parent = nullptr);
  void set_episode(std::shared_ptr<const data::Episode> episode);
  // A rollout of this episode (views matched to cameras by name); null clears it. `note` is shown in
  // the predicted tiles while there is no rollout (e.g. "decoding frame 3 / 8").
  void set_rollout(std::shared_ptr<const geometry::Rollout> rollout);
  void set_prediction_note(const QString& note);
  // What-if: a second rollout from the same start (null: back to one). `label_a`/`label_b` name the
  // columns (e.g. "A: pick the red cube").
  void set_compared(std::shared_ptr<const geometry::Rollout> b, const QString& label_a = {}, const QString& label_b = {});
  std::shared_ptr<const geometry::Rollout> compared() const { return compared_; }
  QImage shown_compared_rgb(int camera) const;
  // Per-tile zoom: one tile (camera, image: 0 recorded RGB, 1 recorded depth, 2 predicted RGB,
  // 3 predicted depth, 4 B RGB, 5 B depth) fills the whole grid, following the frame; double-clicking a
  // tile does it, double-clicking the zoomed view (or zoom(-1, 0)) returns.
  void zoom(int camera, int image);
  bool zoomed() const { return zoom_camera_ >= 0; }
  ImageView* zoom_view() const { return zoom_view_; }
  std::shared_ptr<const geometry::Rollout> rollout() const { return rollout_; }
  int frame() const { return frame_; }
  // Rollout frame shown at the current episode frame: the latest predicted frame at or before it
  // (-1 when the frame lies before the prediction or there is none).
  int predicted_index() const { return predicted_k_; }
  // The images tiles currently show (for tests and export).
  QImage shown_rgb(int camera) const;
  QImage shown_predicted_rgb(int camera) const;
  QImage shown_predicted_depth(int camera) const;

 public slots:
  void set_frame(int t);
  // Predicted depth tiles show |predicted − recorded| depth instead (0 to 10% of the depth range).
  void set_show_depth_errors(bool on);

 private:
  void refresh();
  void resizeEvent(QResizeEvent* event) override;
  struct Tile {
    QLabel* title = nullptr;
    QLabel* rec_label = nullptr;
    QLabel* pred_label = nullptr;
    ImageView* rgb = nullptr;
    ImageView* depth = nullptr;
    ImageView* pred_rgb = nullptr;
    ImageView* pred_depth = nullptr;
    QLabel* b_label = nullptr;
    ImageView* b_rgb = nullptr;
    ImageView* b_depth = nullptr;
    QWidget* legend = nullptr;
    std::pair<float, float> depth_range{0.f, 1.f};
    int view = -1;  // rollout view of this camera, -1 when the rollout has none
  };
  std::shared_ptr<const data::Episode> episode_;
  std::shared_ptr<const geometry::Rollout> rollout_, compared_;
  QString note_, label_a_, label_b_;
  bool show_depth_errors_ = false;
  std::vector<Tile> tiles_;
  QGridLayout* layout_ = nullptr;
  QLabel* placeholder_ = nullptr;
  int frame_ = 0;
  int predicted_k_ = -1;
  ImageView* zoom_view_ = nullptr;
  int zoom_camera_ = -1, zoom_image_ = 0;
};

}  // namespace xwam::widgets
