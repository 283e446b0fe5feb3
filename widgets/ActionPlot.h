// Action (or state) curves per dimension: the predicted chunk against the recorded episode over the
// same steps, one small panel per dimension. The predicted actions can be edited — drag a point, or
// scale/offset a whole dimension — and the edited chunk feeds an action-conditioned run.
#pragma once
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/data/Episode.h"

namespace xwam::widgets {

// Series are K × 14 (actions) / H × 16 (states), row-major, un-normalized, with the episode frame of
// each row. Only dimensions the episode's mask marks real are drawn. Call from the GUI thread.
class ActionPlot : public QWidget {
  Q_OBJECT
 public:
  enum class Series { Actions, States };
  explicit ActionPlot(QWidget* parent = nullptr);

  void set_recorded(std::shared_ptr<const data::Episode> episode);
  // The model's chunk; resets the edits to it and drops a compared chunk. A series with a row count
  // unlike its frame count is ignored.
  void set_predicted(const std::vector<float>& actions, const std::vector<int>& action_frames,
                     const std::vector<float>& states, const std::vector<int>& state_frames);
  void clear_predicted();
  // What-if: rollout B's chunk over the same steps (drawn in its own colour; not editable). A series
  // whose row count differs from the predicted one is ignored; empty vectors clear it.
  void set_compared(const std::vector<float>& actions, const std::vector<float>& states);
  bool has_compared() const { return !compared_.empty() || !compared_states_.empty(); }
  bool has_predicted() const { return !predicted_.empty(); }
  void set_series(Series series);
  Series series() const { return series_; }
  // Dimensions drawn, in panel order (indices into the 14 actions or 16 states).
  const std::vector<int>& dimensions() const { return dims_; }

  // Edits (actions only). The edited chunk starts as the predicted one.
  const std::vector<float>& edited_actions() const { return edited_; }
  const std::vector<int>& action_frames() const { return action_frames_; }
  bool is_edited() const { return edited_ != predicted_; }
  void set_action(int k, int dim, float value);
  void scale_offset(int dim, double scale, double offset);  // v ← v·scale + offset for every row
  void reset_edits();

  // Panel rectangle of action dimension `dim` and the widget position of edited point (k, dim), for
  // tests that drag points like a person would.
  QRectF panel_rect(int dim) const;
  QPointF point_position(int k, int dim) const;

 public slots:
  void set_cursor_frame(int t);  // vertical marker (the timeline's frame)

 signals:
  void edited();  // the edited chunk changed (drag, scale/offset, reset)

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  QSize sizeHint() const override { return {900, 240}; }

 private:
  struct Range {
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  };
  void update_dimensions();
  void update_ranges();
  Range panel_range(int panel) const;
  QRectF plot_area(int panel) const;   // the panel's framed plot, without its title and labels
  QRectF inner_area(int panel) const;  // where values map to (inset so end points stay visible)
  int width_of_series() const { return series_ == Series::Actions ? data::kActionDim : data::kStateDim; }

  std::shared_ptr<const data::Episode> episode_;
  Series series_ = Series::Actions;
  std::vector<int> dims_;
  std::vector<float> predicted_, edited_, predicted_states_;
  std::vector<float> compared_, compared_states_;  // B's chunk (what-if), on action_frames_ / state_frames_
  std::vector<int> action_frames_, state_frames_;
  std::vector<Range> ranges_;  // per panel; frozen while dragging so the curve does not run away
  int cursor_frame_ = -1;
  int drag_k_ = -1, drag_dim_ = -1, drag_panel_ = -1;
};

// Short label of an action / state dimension, e.g. "arm0 Δx", "arm1 grip".
QString action_dimension_name(int dim);
QString state_dimension_name(int dim);

}  // namespace xwam::widgets
