#include "widgets/ImageView.h"

#include <QPainter>

namespace xwam::widgets {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(96, 72);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::set_image(const QImage& image) {
  image_ = image;
  update();
}

void ImageView::set_text(const QString& text) {
  text_ = text;
  update();
}

void ImageView::set_vertical_alignment(Qt::Alignment alignment) {
  vertical_ = alignment;
  update();
}

QSize ImageView::sizeHint() const { return image_.isNull() ? QSize(320, 240) : image_.size() * 2; }

void ImageView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (image_.isNull()) {
    // An empty tile is a dark box with its note; an image is drawn alone (no heavy letterbox bars).
    p.fillRect(rect(), QColor(32, 32, 32));
    p.setPen(QColor(170, 170, 170));
    p.drawText(rect().adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, text_);
    return;
  }
  // Without smooth transforms QPainter scales nearest-neighbour: small model images keep their pixels.
  p.drawImage(image_rect(), image_);
}

QRect ImageView::image_rect() const {
  if (image_.isNull()) return {};
  const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
  const int y = vertical_ == Qt::AlignTop ? 0 : vertical_ == Qt::AlignBottom ? height() - fitted.height()
                                                                               : (height() - fitted.height()) / 2;
  return QRect(QPoint((width() - fitted.width()) / 2, y), fitted);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent*) { emit double_clicked(); }

}  // namespace xwam::widgets
