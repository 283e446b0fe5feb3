// The run history of a window (what-if): every rollout of the session with its settings and timing,
// in a list under the Run panel; any two are picked as A and B and compared side by side with the
// recording (MainWindow::compare_runs). The records are immutable once made.
#pragma once
#include <QWidget>
#include <memory>
#include <vector>

#include "app/studio/RolloutRunner.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/Rollout.h"

class QComboBox;
class QListWidget;
class QPushButton;

namespace xwam::studio {

struct RunRecord {
  RunSettings settings;  // what was run (the instruction is request.instruction)
  std::shared_ptr<const geometry::Rollout> rollout;
  geometry::Comparison comparison;  // against the recording (metrics, clouds), or why not
  double total_ms = 0;
  QString label;  // "#2 · xwam · seed 0 · “close the drawer” · 3.1 s"
};

// "#N · MODE · seed S · “INSTRUCTION” · TIME" (the checkpoint's folder name when it is not the demo's).
QString run_label(int number, const RunSettings& settings, double total_ms);

class RunHistory : public QWidget {
  Q_OBJECT
 public:
  explicit RunHistory(QWidget* parent = nullptr);
  void add(const RunRecord& record);  // appended; the newest becomes A, the one before it B
  void clear();
  int count() const;
  QListWidget* list() const { return list_; }
  int picked_a() const;
  int picked_b() const;
  void pick(int a, int b);  // -1 leaves a choice as it is

 signals:
  void compare_requested(int a, int b);
  void show_requested(int index);  // a run double-clicked: show it alone

 private:
  QListWidget* list_;
  QComboBox *a_, *b_;
  QPushButton* compare_;
};

}  // namespace xwam::studio
