// The X-WAM Studio main window: scene browser, per-camera images and depth, timeline.
#pragma once
#include <QMainWindow>
#include <memory>

#include "app/studio/SceneLoader.h"

class QLabel;
class QLineEdit;
class QListWidget;

namespace xwam::widgets {
class CameraGrid;
class Timeline;
}  // namespace xwam::widgets

namespace xwam::studio {

// All engine work (file reading) runs on worker threads through SceneLoader; failures show in the
// window's message banner and leave the window usable.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  void open_scene(const QString& path, int episode = 0);
  void set_instruction(const QString& text);
  QString instruction() const;
  QString message() const;  // the banner's current text ("" when hidden)
  std::shared_ptr<const data::Episode> episode() const { return episode_; }
  widgets::CameraGrid* camera_grid() const { return grid_; }
  widgets::Timeline* timeline() const { return timeline_; }
  // The window as a person sees it, saved as PNG.
  bool save_screenshot(const QString& png_path);

 signals:
  void scene_listed();
  void episode_shown();
  void failed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_menus();
  void show_message(const QString& text, bool error);
  void on_listed(const SceneListing& listing);
  void on_loaded(const LoadedEpisode& loaded);

  SceneLoader loader_;
  QString scene_path_;
  int pending_episode_ = 0;
  std::shared_ptr<const data::Episode> episode_;
  widgets::CameraGrid* grid_;
  widgets::Timeline* timeline_;
  QLabel* banner_;
  QListWidget* episode_list_;
  QLineEdit* instruction_edit_;
  QLabel* episode_info_;
};

}  // namespace xwam::studio
