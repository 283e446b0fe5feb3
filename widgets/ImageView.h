// Shows one image scaled to fit the widget (aspect kept, nearest-neighbour so pixels stay honest),
// or a short text when there is no image.
#pragma once
#include <QImage>
#include <QString>
#include <QWidget>

namespace xwam::widgets {

class ImageView : public QWidget {
  Q_OBJECT
 public:
  explicit ImageView(QWidget* parent = nullptr);
  void set_image(const QImage& image);
  void set_text(const QString& text);  // shown when the image is null
  // Where the fitted image sits vertically when the widget is taller (default: centred).
  void set_vertical_alignment(Qt::Alignment alignment);
  const QImage& image() const { return image_; }
  QSize sizeHint() const override;
  // Where the image is drawn (aspect kept, centred or aligned); empty without an image.
  QRect image_rect() const;

 signals:
  void double_clicked();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  QImage image_;
  QString text_;
  Qt::Alignment vertical_ = Qt::AlignVCenter;
};

}  // namespace xwam::widgets
