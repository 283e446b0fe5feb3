#include "widgets/MetricsTable.h"

#include <QHeaderView>
#include <algorithm>
#include <cmath>

namespace xwam::widgets {

QString metric_text(double value, int precision) {
  if (std::isnan(value)) return QStringLiteral("–");
  if (std::isinf(value)) return value > 0 ? QStringLiteral("∞") : QStringLiteral("-∞");
  return QString::number(value, 'f', precision);
}

MetricsTable::MetricsTable(QWidget* parent) : QTableWidget(parent) {
  setColumnCount(8);
  setHorizontalHeaderLabels({tr("frame"), tr("PSNR dB"), tr("SSIM"), tr("AbsRel"), tr("δ1"), tr("Chamfer m²"),
                             tr("action MSE"), tr("state MSE")});
  horizontalHeaderItem(5)->setToolTip(tr("Chamfer distance between fused predicted and recorded clouds"));
  // Numbers sized to their contents; the label column fixed, so a long note row does not widen it.
  horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
  horizontalHeader()->setStretchLastSection(true);
  setColumnWidth(0, 120);
  verticalHeader()->hide();
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  connect(this, &QTableWidget::cellClicked, this, [this](int row, int) {
    if (row >= 0 && static_cast<size_t>(row) < row_frames_.size() && row_frames_[row] >= 0) emit frame_selected(row_frames_[row]);
  });
  clear_report();
}

void MetricsTable::put_row(int row, const QString& label, const geometry::Metrics& m, const QColor& tint) {
  const QString cells[] = {label,
                           metric_text(m.rgb_psnr, 2),
                           metric_text(m.rgb_ssim, 3),
                           metric_text(m.depth_absrel, 3),
                           metric_text(m.depth_delta1, 3),
                           metric_text(m.chamfer, 5),
                           metric_text(m.action_mse, 5),
                           metric_text(m.state_mse, 5)};
  for (int c = 0; c < 8; ++c) {
    auto* item = new QTableWidgetItem(cells[c]);
    item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
    if (tint.isValid()) item->setBackground(tint);
    setItem(row, c, item);
  }
}

void MetricsTable::set_report(const geometry::EvaluationReport& report) {
  const auto& frames = report.prediction.frames;
  clearSpans();  // the note row of clear_report spans the table
  setRowCount(2 + static_cast<int>(frames.size()));
  row_frames_.assign(rowCount(), -1);
  put_row(0, tr("mean"), report.prediction.mean, QColor(40, 70, 110));
  put_row(1, tr("copy-last baseline"), report.copy_last.mean, QColor(70, 60, 40));
  item(1, 0)->setToolTip(tr("The last observed frame repeated, zero actions: a prediction should beat it."));
  for (size_t i = 0; i < frames.size(); ++i) {
    put_row(2 + static_cast<int>(i), tr("frame %1").arg(frames[i].frame_index), frames[i].metrics, QColor());
    row_frames_[2 + i] = frames[i].frame_index;
  }
  frame_rows_ = static_cast<int>(frames.size());
  setCurrentCell(-1, -1);  // nothing selected until a person clicks a row
}

void MetricsTable::set_what_if(const geometry::WhatIfComparison& w, const QString& label_a, const QString& label_b) {
  const auto &fa = w.a.prediction.frames, &fb = w.b.prediction.frames;
  const size_t frames = std::min(fa.size(), fb.size());
  clearSpans();
  setRowCount(3 + 3 * static_cast<int>(frames));
  row_frames_.assign(rowCount(), -1);
  const QColor tint_a(40, 70, 110), tint_b(80, 50, 100), tint_d(50, 50, 50);
  put_row(0, label_a, w.a.prediction.mean, tint_a);
  put_row(1, label_b, w.b.prediction.mean, tint_b);
  put_row(2, tr("A − B"), w.a_minus_b, tint_d);
  item(2, 0)->setToolTip(tr("Each metric of A minus that of B (PSNR, SSIM, δ1: higher is better; the others lower)."));
  for (size_t i = 0; i < frames; ++i) {
    const int row = 3 + 3 * static_cast<int>(i), f = fa[i].frame_index;
    put_row(row, tr("A frame %1").arg(f), fa[i].metrics, QColor());
    put_row(row + 1, tr("B frame %1").arg(f), fb[i].metrics, QColor());
    put_row(row + 2, tr("A − B frame %1").arg(f), w.frames_a_minus_b[i], QColor(36, 36, 36));
    for (int r = row; r < row + 3; ++r) row_frames_[r] = f;
  }
  frame_rows_ = static_cast<int>(frames);
  setCurrentCell(-1, -1);
}

void MetricsTable::clear_report(const QString& why) {
  clearSpans();
  setRowCount(why.isEmpty() ? 0 : 1);
  row_frames_.assign(rowCount(), -1);
  frame_rows_ = 0;
  if (!why.isEmpty()) {
    setItem(0, 0, new QTableWidgetItem(why));
    setSpan(0, 0, 1, 8);
  }
}

}  // namespace xwam::widgets
