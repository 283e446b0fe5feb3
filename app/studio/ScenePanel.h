// The Scene dock: the episodes of the open file and the facts of the one shown.
#pragma once
#include <QWidget>

#include "app/studio/SceneLoader.h"

class QLabel;
class QListWidget;

namespace xwam::studio {

class ScenePanel : public QWidget {
  Q_OBJECT
 public:
  explicit ScenePanel(QWidget* parent = nullptr);
  // Lists the file's episodes and selects `row` (clamped), which emits episode_chosen.
  void set_listing(const SceneListing& listing, int row);
  void show_episode(const data::Episode& episode);

 signals:
  void episode_chosen(int row);

 private:
  QListWidget* episodes_;
  QLabel* info_;
};

}  // namespace xwam::studio
