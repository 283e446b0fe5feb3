#include "widgets/LossPlot.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace xwam::widgets {

LossPlot::LossPlot(QWidget* parent) : QWidget(parent) { setMinimumSize(240, 120); }

void LossPlot::add_loss(double step, double loss) {
  if (!std::isfinite(loss)) return;
  loss_.emplace_back(step, loss);
  update();
}

void LossPlot::add_eval_loss(double step, double loss) {
  if (!std::isfinite(loss)) return;
  eval_.emplace_back(step, loss);
  update();
}

void LossPlot::set_total_steps(double steps) {
  total_steps_ = steps;
  update();
}

void LossPlot::clear() {
  loss_.clear();
  eval_.clear();
  total_steps_ = 0;
  update();
}

void LossPlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), QColor(30, 31, 34));
  const QRectF area = QRectF(rect()).adjusted(48, 10, -10, -20);
  p.setPen(QColor(70, 72, 78));
  p.drawRect(area);
  if (loss_.empty() && eval_.empty()) {
    p.setPen(QColor(170, 170, 170));
    p.drawText(area, Qt::AlignCenter, tr("loss appears here once training logs its first step"));
    return;
  }
  double lo = INFINITY, hi = -INFINITY, x1 = std::max(1.0, total_steps_);
  for (const auto* series : {&loss_, &eval_})
    for (const QPointF& q : *series) lo = std::min(lo, q.y()), hi = std::max(hi, q.y()), x1 = std::max(x1, q.x());
  // Log scale when the loss spans more than a decade (typical early in training).
  const bool log_scale = lo > 0 && hi / lo > 10;
  auto ty = [&](double v) { return log_scale ? std::log10(v) : v; };
  double y0 = ty(lo), y1 = ty(hi);
  if (y1 - y0 < 1e-9) y0 -= 0.5, y1 += 0.5;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad, y1 += pad;
  auto map = [&](const QPointF& q) {
    return QPointF(area.left() + q.x() / x1 * area.width(), area.bottom() - (ty(q.y()) - y0) / (y1 - y0) * area.height());
  };
  QPainterPath path;
  for (size_t i = 0; i < loss_.size(); ++i) i == 0 ? path.moveTo(map(loss_[i])) : path.lineTo(map(loss_[i]));
  p.setPen(QPen(QColor(255, 160, 60), 1.6));
  p.drawPath(path);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(80, 170, 255));
  for (const QPointF& q : eval_) p.drawEllipse(map(q), 3.5, 3.5);
  // Axes text.
  p.setPen(QColor(150, 150, 150));
  auto value = [&](double y) { return QString::number(log_scale ? std::pow(10.0, y) : y, 'g', 3); };
  p.drawText(QRectF(0, area.top() - 6, 44, 12), Qt::AlignRight | Qt::AlignVCenter, value(y1));
  p.drawText(QRectF(0, area.bottom() - 6, 44, 12), Qt::AlignRight | Qt::AlignVCenter, value(y0));
  p.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16), Qt::AlignLeft, "0");
  p.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16), Qt::AlignRight, tr("step %1").arg(x1));
  p.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16), Qt::AlignHCenter,
             log_scale ? tr("loss (log) — orange: train, blue: held-out") : tr("loss — orange: train, blue: held-out"));
}

}  // namespace xwam::widgets
