#include "widgets/ActionPlot.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace xwam::widgets {

namespace {
const QColor kRecorded(150, 156, 164);
const QColor kPredicted(255, 160, 60);
const QColor kEdited(80, 170, 255);
const QColor kCompared(200, 110, 255);
constexpr int kLegendH = 14, kTitleH = 16, kLeft = 44, kBottom = 14, kGap = 6;

// Two significant digits, exponents without padding ("2.7e-5", not "2.7e-05"), to fit the axis.
QString short_number(double v) {
  QString s = QString::number(v, 'g', 2);
  s.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e");
  return s;
}
}  // namespace

QString action_dimension_name(int dim) {
  static const char* names[] = {"Δx", "Δy", "Δz", "Δrx", "Δry", "Δrz", "grip"};
  return QString("arm%1 %2").arg(dim / data::kActionPerArm).arg(names[dim % data::kActionPerArm]);
}

QString state_dimension_name(int dim) {
  static const char* names[] = {"x", "y", "z", "qw", "qx", "qy", "qz", "grip"};
  return QString("arm%1 %2").arg(dim / data::kStatePerArm).arg(names[dim % data::kStatePerArm]);
}

ActionPlot::ActionPlot(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(150);
  setMouseTracking(false);
}

void ActionPlot::set_recorded(std::shared_ptr<const data::Episode> episode) {
  episode_ = std::move(episode);
  clear_predicted();
}

void ActionPlot::set_predicted(const std::vector<float>& actions, const std::vector<int>& action_frames,
                               const std::vector<float>& states, const std::vector<int>& state_frames) {
  // A series whose values and frames disagree in count is left out rather than read past its end.
  const bool actions_ok = actions.size() == action_frames.size() * data::kActionDim;
  const bool states_ok = states.size() == state_frames.size() * data::kStateDim;
  compared_.clear();  // B's chunk belonged to the previous prediction
  compared_states_.clear();
  predicted_ = edited_ = actions_ok ? actions : std::vector<float>{};
  action_frames_ = actions_ok ? action_frames : std::vector<int>{};
  predicted_states_ = states_ok ? states : std::vector<float>{};
  state_frames_ = states_ok ? state_frames : std::vector<int>{};
  update_dimensions();
  update();
}

void ActionPlot::set_compared(const std::vector<float>& actions, const std::vector<float>& states) {
  compared_ = actions.size() == predicted_.size() ? actions : std::vector<float>{};
  compared_states_ = states.size() == predicted_states_.size() ? states : std::vector<float>{};
  update_ranges();
  update();
}

void ActionPlot::clear_predicted() {
  compared_.clear();
  compared_states_.clear();
  predicted_.clear();
  edited_.clear();
  predicted_states_.clear();
  action_frames_.clear();
  state_frames_.clear();
  update_dimensions();
  update();
}

void ActionPlot::set_series(Series series) {
  series_ = series;
  update_dimensions();
  update();
}

void ActionPlot::set_cursor_frame(int t) {
  cursor_frame_ = t;
  update();
}

void ActionPlot::set_action(int k, int dim, float value) {
  if (k < 0 || static_cast<size_t>(k) >= action_frames_.size() || dim < 0 || dim >= data::kActionDim) return;
  edited_[static_cast<size_t>(k) * data::kActionDim + dim] = value;
  if (drag_k_ < 0) update_ranges();
  update();
  emit edited();
}

void ActionPlot::scale_offset(int dim, double scale, double offset) {
  if (dim < 0 || dim >= data::kActionDim) return;
  for (size_t k = 0; k < action_frames_.size(); ++k) {
    float& v = edited_[k * data::kActionDim + dim];
    v = static_cast<float>(v * scale + offset);
  }
  update_ranges();
  update();
  emit edited();
}

void ActionPlot::reset_edits() {
  edited_ = predicted_;
  update_ranges();
  update();
  emit edited();
}

void ActionPlot::update_dimensions() {
  dims_.clear();
  const int n = width_of_series();
  for (int d = 0; d < n; ++d) {
    // Padding dimensions (e.g. the absent second arm) carry no information: leave them out.
    bool real = true;
    if (episode_) real = series_ == Series::Actions ? episode_->action_mask[d] != 0 : episode_->state_mask[d] != 0;
    if (real) dims_.push_back(d);
  }
  update_ranges();
}

// x: the predicted window when there is a prediction (so both curves share the steps), else the episode.
void ActionPlot::update_ranges() {
  ranges_.assign(dims_.size(), Range{});
  const bool actions = series_ == Series::Actions;
  const std::vector<int>& frames = actions ? action_frames_ : state_frames_;
  const std::vector<float>& pred = actions ? edited_ : predicted_states_;
  const int width = width_of_series();
  double x0 = 0, x1 = 1;
  if (!frames.empty()) {
    x0 = *std::min_element(frames.begin(), frames.end());
    x1 = std::max(x0 + 1, static_cast<double>(*std::max_element(frames.begin(), frames.end())));
  } else if (episode_) {
    x1 = std::max(1, episode_->num_frames - 1);
  }
  for (size_t p = 0; p < dims_.size(); ++p) {
    const int d = dims_[p];
    double lo = INFINITY, hi = -INFINITY;
    auto take = [&](double v) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    };
    if (episode_) {
      const std::vector<float>& rec = actions ? episode_->actions : episode_->states;
      const int T = static_cast<int>(rec.size() / width);
      for (int t = std::max(0, static_cast<int>(std::floor(x0))); t <= std::min(T - 1, static_cast<int>(x1)); ++t)
        take(rec[static_cast<size_t>(t) * width + d]);
    }
    for (size_t k = 0; k < frames.size(); ++k) take(pred[k * width + d]);
    if (actions)
      for (size_t k = 0; k < frames.size(); ++k) take(predicted_[k * width + d]);
    const std::vector<float>& compared = actions ? compared_ : compared_states_;
    if (!compared.empty())
      for (size_t k = 0; k < frames.size(); ++k) take(compared[k * width + d]);
    if (!std::isfinite(lo)) lo = -1, hi = 1;
    const double pad = std::max(0.1 * (hi - lo), 1e-3 * std::max(1.0, std::abs(hi)));
    ranges_[p] = Range{x0, x1, lo - pad, hi + pad};
  }
}

ActionPlot::Range ActionPlot::panel_range(int panel) const { return ranges_[panel]; }

QRectF ActionPlot::plot_area(int panel) const {
  const int n = static_cast<int>(dims_.size());
  const int cols = std::max(1, std::min(n, 7));
  const int rows = (n + cols - 1) / cols;
  // The legend has the top strip to itself.
  const double w = static_cast<double>(width()) / cols, h = static_cast<double>(height() - kLegendH) / std::max(1, rows);
  const QRectF cell(w * (panel % cols), kLegendH + h * (panel / cols), w, h);
  return cell.adjusted(kLeft, kTitleH, -kGap, -kBottom);
}

QRectF ActionPlot::inner_area(int panel) const { return plot_area(panel).adjusted(5, 5, -5, -5); }

QRectF ActionPlot::panel_rect(int dim) const {
  auto it = std::find(dims_.begin(), dims_.end(), dim);
  return it == dims_.end() ? QRectF() : plot_area(static_cast<int>(it - dims_.begin()));
}

QPointF ActionPlot::point_position(int k, int dim) const {
  auto it = std::find(dims_.begin(), dims_.end(), dim);
  if (it == dims_.end() || series_ != Series::Actions) return {};
  const int panel = static_cast<int>(it - dims_.begin());
  const QRectF a = inner_area(panel);
  const Range r = panel_range(panel);
  const double v = edited_[static_cast<size_t>(k) * data::kActionDim + dim];
  return {a.left() + (action_frames_[k] - r.x0) / (r.x1 - r.x0) * a.width(),
          a.bottom() - (v - r.y0) / (r.y1 - r.y0) * a.height()};
}

void ActionPlot::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), QColor(30, 31, 34));
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
  p.setFont(small);
  if (!episode_) {
    p.setPen(QColor(170, 170, 170));
    p.drawText(rect(), Qt::AlignCenter, tr("Actions and states appear here once an episode is open."));
    return;
  }
  const bool actions = series_ == Series::Actions;
  const int width = width_of_series();
  const std::vector<float>& rec = actions ? episode_->actions : episode_->states;
  const int T = static_cast<int>(rec.size() / width);
  const std::vector<int>& frames = actions ? action_frames_ : state_frames_;

  for (size_t panel = 0; panel < dims_.size(); ++panel) {
    const int d = dims_[panel];
    const QRectF frame = plot_area(static_cast<int>(panel)), a = inner_area(static_cast<int>(panel));
    const Range r = panel_range(static_cast<int>(panel));
    auto map = [&](double x, double y) {
      return QPointF(a.left() + (x - r.x0) / (r.x1 - r.x0) * a.width(), a.bottom() - (y - r.y0) / (r.y1 - r.y0) * a.height());
    };
    // Frame, title, y extent, zero line.
    p.setPen(QColor(70, 72, 78));
    p.drawRect(frame);
    p.setPen(QColor(210, 210, 210));
    p.drawText(QRectF(frame.left(), frame.top() - kTitleH, frame.width(), kTitleH), Qt::AlignLeft | Qt::AlignVCenter,
               actions ? action_dimension_name(d) : state_dimension_name(d));
    p.setPen(QColor(140, 140, 140));
    p.drawText(QRectF(frame.left() - kLeft, a.top() - 6, kLeft - 3, 12), Qt::AlignRight | Qt::AlignVCenter, short_number(r.y1));
    p.drawText(QRectF(frame.left() - kLeft, a.bottom() - 6, kLeft - 3, 12), Qt::AlignRight | Qt::AlignVCenter, short_number(r.y0));
    p.drawText(QRectF(frame.left(), frame.bottom(), frame.width(), kBottom), Qt::AlignLeft | Qt::AlignVCenter, QString::number(std::ceil(r.x0)));
    p.drawText(QRectF(frame.left(), frame.bottom(), frame.width(), kBottom), Qt::AlignRight | Qt::AlignVCenter, QString::number(std::floor(r.x1)));
    if (r.y0 < 0 && r.y1 > 0) {
      p.setPen(QPen(QColor(60, 62, 68), 1, Qt::DotLine));
      p.drawLine(map(r.x0, 0), map(r.x1, 0));
    }
    p.save();
    p.setClipRect(frame);
    // Recorded curve over the shown steps.
    QPainterPath recorded;
    bool started = false;
    for (int t = std::max(0, static_cast<int>(std::floor(r.x0))); t <= std::min(T - 1, static_cast<int>(std::ceil(r.x1))); ++t) {
      const QPointF q = map(t, rec[static_cast<size_t>(t) * width + d]);
      started ? recorded.lineTo(q) : recorded.moveTo(q);
      started = true;
    }
    p.setPen(QPen(kRecorded, 1.5));
    p.drawPath(recorded);
    // The model's chunk (dashed once edited) and the edited chunk with its draggable points.
    auto curve = [&](const std::vector<float>& values, const QPen& pen, bool dots) {
      if (frames.empty()) return;
      QPainterPath path;
      for (size_t k = 0; k < frames.size(); ++k) {
        const QPointF q = map(frames[k], values[k * width + d]);
        k == 0 ? path.moveTo(q) : path.lineTo(q);
      }
      p.setPen(pen);
      p.setBrush(Qt::NoBrush);
      p.drawPath(path);
      if (!dots) return;
      p.setBrush(pen.color());
      const double r = frames.size() > 16 ? 1.6 : 2.5;  // long chunks: smaller dots, the curve stays readable
      for (size_t k = 0; k < frames.size(); ++k) p.drawEllipse(map(frames[k], values[k * width + d]), r, r);
    };
    if (actions) {
      const bool dim_edited = [&] {
        for (size_t k = 0; k < frames.size(); ++k)
          if (edited_[k * width + d] != predicted_[k * width + d]) return true;
        return false;
      }();
      if (dim_edited) curve(predicted_, QPen(kPredicted, 1.2, Qt::DashLine), false);
      if (!compared_.empty()) curve(compared_, QPen(kCompared, 1.8), false);
      curve(edited_, QPen(dim_edited ? kEdited : kPredicted, 1.8), true);
    } else {
      if (!compared_states_.empty()) curve(compared_states_, QPen(kCompared, 1.8), false);
      curve(predicted_states_, QPen(kPredicted, 1.8), true);
    }
    if (cursor_frame_ >= r.x0 && cursor_frame_ <= r.x1) {
      p.setPen(QPen(QColor(255, 255, 255, 90), 1));
      p.drawLine(map(cursor_frame_, r.y0), map(cursor_frame_, r.y1));
    }
    p.restore();
  }
  // Legend, top right.
  QString legend = actions ? tr("— recorded   — predicted   — edited") : tr("— recorded   — predicted");
  if (has_compared()) legend = actions ? tr("— recorded   — A   — edited   — B") : tr("— recorded   — A   — B");
  QFontMetrics fm(small);
  const int lw = fm.horizontalAdvance(legend);
  int x = this->width() - lw - 8;
  const QStringList parts = legend.split("   ");
  const QColor colors[] = {kRecorded, kPredicted, actions ? kEdited : kCompared, kCompared};
  for (int i = 0; i < parts.size(); ++i) {
    p.setPen(colors[i]);
    p.drawText(x, fm.ascent() + 1, parts[i]);
    x += fm.horizontalAdvance(parts[i] + "   ");
  }
}

void ActionPlot::mousePressEvent(QMouseEvent* event) {
  if (series_ != Series::Actions || action_frames_.empty()) return;
  const QPointF pos = event->position();
  for (size_t panel = 0; panel < dims_.size(); ++panel) {
    if (!plot_area(static_cast<int>(panel)).adjusted(-8, -8, 8, 8).contains(pos)) continue;
    // The nearest point of this panel within a finger's width.
    double best = 10.0;
    for (size_t k = 0; k < action_frames_.size(); ++k) {
      const double dist = QLineF(point_position(static_cast<int>(k), dims_[panel]), pos).length();
      if (dist < best) best = dist, drag_k_ = static_cast<int>(k), drag_dim_ = dims_[panel], drag_panel_ = static_cast<int>(panel);
    }
  }
}

void ActionPlot::mouseMoveEvent(QMouseEvent* event) {
  if (drag_k_ < 0) return;
  const QRectF a = inner_area(drag_panel_);
  const Range r = panel_range(drag_panel_);
  const double y = std::clamp(event->position().y(), a.top(), a.bottom());
  set_action(drag_k_, drag_dim_, static_cast<float>(r.y0 + (a.bottom() - y) / a.height() * (r.y1 - r.y0)));
}

void ActionPlot::mouseReleaseEvent(QMouseEvent*) {
  if (drag_k_ < 0) return;
  drag_k_ = drag_dim_ = drag_panel_ = -1;
  update_ranges();
  update();
}

}  // namespace xwam::widgets
