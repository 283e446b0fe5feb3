#include "widgets/CameraGrid.h"

#include <QGridLayout>
#include <QLabel>

#include "widgets/EpisodeImages.h"

namespace xwam::widgets {

CameraGrid::CameraGrid(QWidget* parent) : QWidget(parent) {
  layout_ = new QGridLayout(this);
  layout_->setSpacing(6);
  placeholder_ = new QLabel(tr("Open an episode file (File ▸ Open) to see its cameras."), this);
  placeholder_->setAlignment(Qt::AlignCenter);
  layout_->addWidget(placeholder_, 0, 0);
}

void CameraGrid::set_episode(std::shared_ptr<const data::Episode> episode) {
  for (auto& tile : tiles_) {
    delete tile.title;
    delete tile.rgb;
    delete tile.depth;
  }
  tiles_.clear();
  episode_ = std::move(episode);
  placeholder_->setVisible(!episode_);
  if (!episode_) return;
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
    tile.rgb = new QLabel(this);
    tile.depth = new QLabel(cam.has_depth ? QString() : tr("no depth"), this);
    for (QLabel* l : {tile.rgb, tile.depth}) {
      l->setAlignment(Qt::AlignCenter);
      l->setMinimumSize(96, 72);
      l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
      l->setStyleSheet("background:#202020; color:#aaa;");
    }
    tile.depth_range = depth_range(*episode_, static_cast<int>(c));
    const int row = static_cast<int>(c) * 2;
    layout_->addWidget(tile.title, row, 0, 1, 2);
    layout_->addWidget(tile.rgb, row + 1, 0);
    layout_->addWidget(tile.depth, row + 1, 1);
    layout_->setRowStretch(row + 1, 1);
    tiles_.push_back(tile);
  }
  frame_ = 0;
  refresh();
}

void CameraGrid::set_frame(int t) {
  if (!episode_) return;
  frame_ = std::clamp(t, 0, episode_->num_frames - 1);
  refresh();
}

QImage CameraGrid::shown_rgb(int camera) const {
  return camera < static_cast<int>(tiles_.size()) ? tiles_[camera].rgb_image : QImage();
}

void CameraGrid::refresh() {
  for (size_t c = 0; c < tiles_.size(); ++c) {
    auto& tile = tiles_[c];
    tile.rgb_image = rgb_image(*episode_, static_cast<int>(c), frame_);
    tile.depth_image = depth_image(*episode_, static_cast<int>(c), frame_, tile.depth_range.first, tile.depth_range.second);
    auto show = [](QLabel* label, const QImage& image) {
      if (image.isNull()) return;
      label->setPixmap(QPixmap::fromImage(image.scaled(label->size(), Qt::KeepAspectRatio, Qt::FastTransformation)));
    };
    show(tile.rgb, tile.rgb_image);
    show(tile.depth, tile.depth_image);
  }
}

void CameraGrid::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  if (episode_) refresh();
}

}  // namespace xwam::widgets
