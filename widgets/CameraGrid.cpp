#include "widgets/CameraGrid.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>

#include "widgets/EpisodeImages.h"
#include "widgets/ImageView.h"

namespace xwam::widgets {

CameraGrid::CameraGrid(QWidget* parent) : QWidget(parent) {
  layout_ = new QGridLayout(this);
  layout_->setSpacing(4);
  placeholder_ = new QLabel(tr("Open an episode file (File ▸ Open) to see its cameras."), this);
  placeholder_->setAlignment(Qt::AlignCenter);
  layout_->addWidget(placeholder_, 0, 0);
  note_ = tr("no prediction yet — Run (Ctrl+R)");
  // Not in the layout: laid over the whole grid while a tile is zoomed.
  zoom_view_ = new ImageView(this);
  zoom_view_->setToolTip(tr("Double-click to return to all cameras"));
  zoom_view_->hide();
  connect(zoom_view_, &ImageView::double_clicked, this, [this] { zoom(-1, 0); });
}

void CameraGrid::zoom(int camera, int image) {
  zoom_camera_ = camera >= 0 && camera < static_cast<int>(tiles_.size()) && image >= 0 && image < 6 ? camera : -1;
  zoom_image_ = image;
  zoom_view_->setVisible(zoom_camera_ >= 0);
  if (zoomed()) {
    zoom_view_->setGeometry(rect());
    zoom_view_->raise();
  }
  refresh();
}

void CameraGrid::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  zoom_view_->setGeometry(rect());
}

void CameraGrid::set_episode(std::shared_ptr<const data::Episode> episode) {
  for (auto& tile : tiles_)
    for (QWidget* w : std::initializer_list<QWidget*>{tile.title, tile.rec_label, tile.pred_label, tile.rgb, tile.depth,
                                                      tile.pred_rgb, tile.pred_depth, tile.b_label, tile.b_rgb,
                                                      tile.b_depth, tile.legend})
      delete w;
  tiles_.clear();
  zoom(-1, 0);
  rollout_.reset();
  compared_.reset();
  for (int c = 0; c < layout_->columnCount(); ++c) layout_->setColumnStretch(c, 0);
  episode_ = std::move(episode);
  placeholder_->setVisible(!episode_);
  if (!episode_) return;
  auto small_label = [this](const QString& text) {
    auto* label = new QLabel(text, this);
    label->setStyleSheet("color:#9aa0a6; font-size:10px;");
    label->setAlignment(Qt::AlignCenter);
    return label;
  };
  for (size_t c = 0; c < episode_->cameras.size(); ++c) {
    const auto& cam = episode_->cameras[c];
    Tile tile;
    QString info = QString("<b>%1</b> &nbsp; %2×%3, %4%5")
                       .arg(QString::fromStdString(cam.name))
                       .arg(cam.width)
                       .arg(cam.height)
                       .arg(cam.mount == data::CameraMount::Wrist ? tr("wrist") : tr("fixed"))
                       .arg(cam.calibrated() ? "" : tr(", no calibration"));
    tile.title = new QLabel(info, this);
    tile.title->setAlignment(Qt::AlignCenter);
    tile.rec_label = small_label(tr("recorded"));
    tile.pred_label = small_label(tr("predicted"));
    tile.rgb = new ImageView(this);
    tile.depth = new ImageView(this);
    tile.depth->set_text(tr("no depth"));
    tile.pred_rgb = new ImageView(this);
    tile.pred_depth = new ImageView(this);
    tile.b_label = small_label(tr("B"));
    tile.b_rgb = new ImageView(this);
    tile.b_depth = new ImageView(this);
    for (QWidget* w : std::initializer_list<QWidget*>{tile.b_label, tile.b_rgb, tile.b_depth}) w->hide();
    // RGB sits on top of its depth map, the pair centred in the space (not two far-apart images).
    for (ImageView* v : {tile.rgb, tile.pred_rgb, tile.b_rgb}) v->set_vertical_alignment(Qt::AlignBottom);
    for (ImageView* v : {tile.depth, tile.pred_depth, tile.b_depth}) v->set_vertical_alignment(Qt::AlignTop);
    tile.depth_range = geometry::depth_range(*episode_, static_cast<int>(c));
    int image = 0;
    for (ImageView* v : {tile.rgb, tile.depth, tile.pred_rgb, tile.pred_depth, tile.b_rgb, tile.b_depth}) {
      v->setToolTip(tr("Double-click to zoom to the whole panel"));
      connect(v, &ImageView::double_clicked, this, [this, c, image] { zoom(static_cast<int>(c), image); });
      ++image;
    }
    tile.legend = new QWidget(this);
    if (cam.has_depth) {
      // A small colour bar: near (warm) on the left, far (cool) on the right, with the range beside it.
      QImage bar(90, 8, QImage::Format_RGB32);
      for (int x = 0; x < bar.width(); ++x)
        for (int y = 0; y < bar.height(); ++y) bar.setPixel(x, y, depth_color(1.f - float(x) / (bar.width() - 1)));
      auto* row = new QHBoxLayout(tile.legend);
      row->setContentsMargins(0, 0, 0, 0);
      auto* swatch = new QLabel(tile.legend);
      swatch->setPixmap(QPixmap::fromImage(bar));
      auto* text = new QLabel(tr("depth %1–%2 m (near → far)").arg(tile.depth_range.first, 0, 'f', 2).arg(tile.depth_range.second, 0, 'f', 2), tile.legend);
      text->setStyleSheet("font-size:10px;");
      row->addWidget(swatch);
      row->addWidget(text);
    }
    // Three columns per camera; the third (B) is shown in a what-if comparison only.
    const int col = 3 * static_cast<int>(c);
    layout_->addWidget(tile.title, 0, col, 1, 3);
    layout_->addWidget(tile.rec_label, 1, col);
    layout_->addWidget(tile.pred_label, 1, col + 1);
    layout_->addWidget(tile.b_label, 1, col + 2);
    layout_->addWidget(tile.rgb, 2, col);
    layout_->addWidget(tile.pred_rgb, 2, col + 1);
    layout_->addWidget(tile.b_rgb, 2, col + 2);
    layout_->addWidget(tile.depth, 3, col);
    layout_->addWidget(tile.pred_depth, 3, col + 1);
    layout_->addWidget(tile.b_depth, 3, col + 2);
    layout_->addWidget(tile.legend, 4, col, 1, 3, Qt::AlignCenter);
    layout_->setColumnStretch(col, 1);
    layout_->setColumnStretch(col + 1, 1);
    tiles_.push_back(tile);
  }
  layout_->setRowStretch(2, 1);
  layout_->setRowStretch(3, 1);
  frame_ = 0;
  refresh();
}

void CameraGrid::set_rollout(std::shared_ptr<const geometry::Rollout> rollout) {
  rollout_ = std::move(rollout);
  for (auto& tile : tiles_) tile.view = -1;
  if (rollout_ && episode_)
    for (size_t c = 0; c < tiles_.size(); ++c) tiles_[c].view = rollout_->view_index(episode_->cameras[c].name);
  refresh();
}

void CameraGrid::set_compared(std::shared_ptr<const geometry::Rollout> b, const QString& label_a, const QString& label_b) {
  compared_ = std::move(b);
  label_a_ = label_a;
  label_b_ = label_b;
  for (size_t c = 0; c < tiles_.size(); ++c) {
    for (QWidget* w : std::initializer_list<QWidget*>{tiles_[c].b_label, tiles_[c].b_rgb, tiles_[c].b_depth})
      w->setVisible(compared_ != nullptr);
    layout_->setColumnStretch(3 * static_cast<int>(c) + 2, compared_ ? 1 : 0);
  }
  refresh();
}

QImage CameraGrid::shown_compared_rgb(int camera) const {
  return camera < static_cast<int>(tiles_.size()) ? tiles_[camera].b_rgb->image() : QImage();
}

void CameraGrid::set_prediction_note(const QString& note) {
  note_ = note;
  refresh();
}

void CameraGrid::set_frame(int t) {
  if (!episode_) return;
  frame_ = std::clamp(t, 0, episode_->num_frames - 1);
  refresh();
}

QImage CameraGrid::shown_rgb(int camera) const {
  return camera < static_cast<int>(tiles_.size()) ? tiles_[camera].rgb->image() : QImage();
}

void CameraGrid::set_show_depth_errors(bool on) {
  show_depth_errors_ = on;
  refresh();
}

QImage CameraGrid::shown_predicted_depth(int camera) const {
  return camera < static_cast<int>(tiles_.size()) ? tiles_[camera].pred_depth->image() : QImage();
}

QImage CameraGrid::shown_predicted_rgb(int camera) const {
  return camera < static_cast<int>(tiles_.size()) ? tiles_[camera].pred_rgb->image() : QImage();
}

void CameraGrid::refresh() {
  // The rollout's frame indices are stored-episode frames; ours are relative to the loaded range.
  predicted_k_ = -1;
  if (rollout_ && episode_) {
    const int stored = frame_ + episode_->first_frame;
    for (int k = 0; k < rollout_->num_frames(); ++k)
      if (rollout_->frame_indices[k] <= stored) predicted_k_ = k;
  }
  for (size_t c = 0; c < tiles_.size(); ++c) {
    auto& tile = tiles_[c];
    tile.rgb->set_image(rgb_image(*episode_, static_cast<int>(c), frame_));
    tile.depth->set_image(depth_image(*episode_, static_cast<int>(c), frame_, tile.depth_range.first, tile.depth_range.second));
    QString why;
    if (!rollout_) why = note_;
    else if (rollout_->views.empty()) why = tr("no predicted images (actions-only mode)");
    else if (tile.view < 0) why = tr("not a model view");
    else if (predicted_k_ < 0) why = tr("prediction starts at frame %1").arg(rollout_->frame_indices.front() - episode_->first_frame);
    if (!why.isEmpty()) {
      tile.pred_rgb->set_image({});
      tile.pred_depth->set_image({});
      tile.pred_rgb->set_text(why);
      tile.pred_depth->set_text(QString());
      tile.pred_label->setText(tr("predicted"));
      tile.b_rgb->set_image({});
      tile.b_depth->set_image({});
      continue;
    }
    const auto& view = rollout_->views[tile.view];
    tile.pred_rgb->set_image(rgb_image(view, predicted_k_));
    const int at = std::clamp(rollout_->frame_indices[predicted_k_] - episode_->first_frame, 0, episode_->num_frames - 1);
    const float max_error = 0.1f * (tile.depth_range.second - tile.depth_range.first);
    tile.pred_depth->set_image(show_depth_errors_
                                   ? to_qimage(geometry::depth_error_image(view, predicted_k_, *episode_, static_cast<int>(c), at, max_error))
                                   : depth_image(view, predicted_k_, tile.depth_range.first, tile.depth_range.second));
    tile.pred_depth->set_text(tr("no predicted depth"));
    tile.pred_label->setText(compared_ ? QString("%1 (frame %2)").arg(label_a_).arg(at) : tr("predicted (frame %1)").arg(at));
    // What-if: B at the same predicted frame, its depth in the same colour range.
    const int b_view = compared_ ? compared_->view_index(view.camera) : -1;
    if (b_view >= 0 && predicted_k_ < compared_->num_frames()) {
      const auto& bv = compared_->views[b_view];
      tile.b_rgb->set_image(rgb_image(bv, predicted_k_));
      tile.b_depth->set_image(show_depth_errors_
                                  ? to_qimage(geometry::depth_error_image(bv, predicted_k_, *episode_, static_cast<int>(c), at, max_error))
                                  : depth_image(bv, predicted_k_, tile.depth_range.first, tile.depth_range.second));
      tile.b_label->setText(QString("%1 (frame %2)").arg(label_b_).arg(at));
    } else {
      tile.b_rgb->set_image({});
      tile.b_depth->set_image({});
      tile.b_rgb->set_text(tr("not in B"));
    }
    tile.pred_depth->setToolTip(show_depth_errors_ ? tr("|predicted − recorded| depth, 0 (cool) to %1 m (warm)").arg(max_error, 0, 'f', 3)
                                                   : QString());
  }
  if (zoomed()) {
    const Tile& tile = tiles_[zoom_camera_];
    const ImageView* views[] = {tile.rgb, tile.depth, tile.pred_rgb, tile.pred_depth, tile.b_rgb, tile.b_depth};
    zoom_view_->set_image(views[zoom_image_]->image());
    zoom_view_->set_text(tr("no image at this frame"));
  }
}

}  // namespace xwam::widgets
