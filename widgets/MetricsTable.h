// Metrics of a rollout against the recorded episode: the mean, the copy-last-frame baseline, then one
// row per predicted frame (PSNR, SSIM, depth AbsRel and δ1, Chamfer, action and state error).
#pragma once
#include <QTableWidget>

#include "engine/geometry/Evaluation.h"
#include "engine/geometry/WhatIfComparison.h"

namespace xwam::widgets {

class MetricsTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit MetricsTable(QWidget* parent = nullptr);
  void set_report(const geometry::EvaluationReport& report);
  // What-if: rows for A, B and A − B (the means, then per predicted frame), labelled with the runs.
  void set_what_if(const geometry::WhatIfComparison& comparison, const QString& label_a, const QString& label_b);
  void clear_report(const QString& why = {});  // empty table; `why` as a one-row note
  int frame_rows() const { return frame_rows_; }

 signals:
  void frame_selected(int episode_frame);  // a per-frame row was clicked

 private:
  void put_row(int row, const QString& label, const geometry::Metrics& m, const QColor& tint);
  std::vector<int> row_frames_;
  int frame_rows_ = 0;
};

// A metric value as shown: fixed precision, "∞" for +inf, "–" for not available.
QString metric_text(double value, int precision);

}  // namespace xwam::widgets
