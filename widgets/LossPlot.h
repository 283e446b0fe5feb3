// A live training-loss plot: loss per step (log scale when it spans a decade), held-out evaluation
// losses as dots.
#pragma once
#include <QWidget>
#include <vector>

namespace xwam::widgets {

class LossPlot : public QWidget {
  Q_OBJECT
 public:
  explicit LossPlot(QWidget* parent = nullptr);
  void add_loss(double step, double loss);
  void add_eval_loss(double step, double loss);
  void set_total_steps(double steps);
  void clear();
  int points() const { return static_cast<int>(loss_.size()); }
  QSize sizeHint() const override { return {480, 180}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<QPointF> loss_, eval_;
  double total_steps_ = 0;
};

}  // namespace xwam::widgets
