#include "widgets/CameraGrid.h"

#include <QGridLayout>
#include <QLabel>

#include "widgets/EpisodeImages.h"
#include "widgets/ImageView.h"

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
    delete tile.legend;
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
    tile.rgb = new ImageView(this);
    tile.depth = new ImageView(this);
    tile.depth->set_text(tr("no depth"));
    tile.depth_range = depth_range(*episode_, static_cast<int>(c));
    tile.legend = new QLabel(this);
    if (cam.has_depth) {
      // A small colour bar: near (warm) on the left, far (cool) on the right.
      QImage bar(120, 10, QImage::Format_RGB32);
      for (int x = 0; x < bar.width(); ++x)
        for (int y = 0; y < bar.height(); ++y) bar.setPixel(x, y, depth_color(1.f - float(x) / (bar.width() - 1)));
      tile.legend->setPixmap(QPixmap::fromImage(bar));
      tile.legend->setToolTip(tr("depth %1 m (near) to %2 m (far)").arg(tile.depth_range.first, 0, 'f', 2).arg(tile.depth_range.second, 0, 'f', 2));
    }
    auto* legend_text = new QLabel(cam.has_depth ? tr("depth %1–%2 m").arg(tile.depth_range.first, 0, 'f', 2).arg(tile.depth_range.second, 0, 'f', 2) : QString(), tile.legend);
    legend_text->move(126, -3);
    legend_text->adjustSize();
    tile.legend->setMinimumWidth(130 + legend_text->width());
    const int col = static_cast<int>(c);
    layout_->addWidget(tile.title, 0, col);
    layout_->addWidget(tile.rgb, 1, col);
    layout_->addWidget(tile.depth, 2, col);
    layout_->addWidget(tile.legend, 3, col);
    layout_->setColumnStretch(col, 1);
    tiles_.push_back(tile);
  }
  layout_->setRowStretch(1, 1);
  layout_->setRowStretch(2, 1);
  frame_ = 0;
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

void CameraGrid::refresh() {
  for (size_t c = 0; c < tiles_.size(); ++c) {
    auto& tile = tiles_[c];
    tile.rgb->set_image(rgb_image(*episode_, static_cast<int>(c), frame_));
    tile.depth->set_image(depth_image(*episode_, static_cast<int>(c), frame_, tile.depth_range.first, tile.depth_range.second));
  }
}

}  // namespace xwam::widgets
