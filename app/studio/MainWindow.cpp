#include "app/studio/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

#include "widgets/CameraGrid.h"
#include "widgets/Timeline.h"

namespace xwam::studio {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("X-WAM Studio"));
  resize(1280, 800);

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  banner_ = new QLabel(central);
  banner_->setWordWrap(true);
  banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  banner_->hide();
  grid_ = new widgets::CameraGrid(central);
  timeline_ = new widgets::Timeline(central);
  layout->addWidget(banner_);
  layout->addWidget(grid_, 1);
  layout->addWidget(timeline_);
  setCentralWidget(central);

  auto* scene_dock = new QDockWidget(tr("Scene"), this);
  scene_dock->setObjectName("scene_dock");
  auto* scene_panel = new QWidget(scene_dock);
  auto* form = new QFormLayout(scene_panel);
  episode_list_ = new QListWidget(scene_panel);
  instruction_edit_ = new QLineEdit(scene_panel);
  instruction_edit_->setPlaceholderText(tr("instruction for the model"));
  episode_info_ = new QLabel(scene_panel);
  episode_info_->setWordWrap(true);
  form->addRow(tr("Episodes"), episode_list_);
  form->addRow(tr("Instruction"), instruction_edit_);
  form->addRow(episode_info_);
  scene_dock->setWidget(scene_panel);
  addDockWidget(Qt::LeftDockWidgetArea, scene_dock);

  build_menus();
  statusBar()->showMessage(tr("Ready"));

  connect(timeline_, &widgets::Timeline::frame_changed, grid_, &widgets::CameraGrid::set_frame);
  connect(&loader_, &SceneLoader::listed, this, &MainWindow::on_listed);
  connect(&loader_, &SceneLoader::loaded, this, &MainWindow::on_loaded);
  connect(episode_list_, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row < 0 || scene_path_.isEmpty()) return;
    statusBar()->showMessage(tr("Loading episode %1…").arg(row));
    loader_.load(scene_path_, row);
  });

  QSettings settings("X-WAM Studio", "xwam-studio");
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Scene…"), this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Open episode file"), QString(),
                                                tr("Episode files (*.h5 *.hdf5);;All files (*)"));
    if (!path.isEmpty()) open_scene(path);
  });
  open->setShortcut(QKeySequence::Open);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&Playback"));
  QAction* play = view->addAction(tr("Play / Pause"), timeline_, &widgets::Timeline::toggle_play);
  play->setShortcut(Qt::Key_Space);
  QAction* next = view->addAction(tr("Next Frame"), this, [this] { timeline_->step(1); });
  next->setShortcut(Qt::Key_Right);
  QAction* prev = view->addAction(tr("Previous Frame"), this, [this] { timeline_->step(-1); });
  prev->setShortcut(Qt::Key_Left);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("About X-WAM Studio"), this, [this] {
    QMessageBox::about(this, tr("About X-WAM Studio"),
                       tr("X-WAM Studio: 4D world-action modeling of robot scenes — action-first "
                          "asynchronous denoising, multi-view RGB-D prediction, fused 4D point clouds."));
  });
}

void MainWindow::open_scene(const QString& path, int episode) {
  scene_path_.clear();
  pending_episode_ = episode;
  statusBar()->showMessage(tr("Opening %1…").arg(path));
  loader_.list(path);
}

void MainWindow::on_listed(const SceneListing& listing) {
  if (!listing.error.isEmpty()) {
    show_message(listing.error, true);
    emit failed(listing.error);
    return;
  }
  scene_path_ = listing.path;
  setWindowTitle(tr("X-WAM Studio — %1").arg(QFileInfo(listing.path).fileName()));
  episode_list_->blockSignals(true);
  episode_list_->clear();
  for (const auto& s : listing.episodes)
    episode_list_->addItem(QString("%1  (%2 frames)").arg(QString::fromStdString(s.name)).arg(s.num_frames));
  episode_list_->blockSignals(false);
  emit scene_listed();
  int index = std::clamp(pending_episode_, 0, std::max(0, episode_list_->count() - 1));
  episode_list_->setCurrentRow(index);  // starts the episode load
}

void MainWindow::on_loaded(const LoadedEpisode& loaded) {
  if (!loaded.error.isEmpty()) {
    show_message(loaded.error, true);
    emit failed(loaded.error);
    return;
  }
  banner_->hide();
  episode_ = loaded.episode;
  grid_->set_episode(episode_);
  timeline_->set_range(episode_->num_frames, episode_->fps);
  instruction_edit_->setText(QString::fromStdString(episode_->instruction));
  QString success = episode_->success ? (*episode_->success ? tr("yes") : tr("no")) : tr("unknown");
  episode_info_->setText(tr("<b>%1</b><br>task: %2<br>%3 frames at %4 fps<br>%5 cameras<br>recorded success: %6")
                             .arg(QString::fromStdString(episode_->name))
                             .arg(episode_->task.empty() ? "-" : QString::fromStdString(episode_->task))
                             .arg(episode_->num_frames)
                             .arg(episode_->fps)
                             .arg(episode_->cameras.size())
                             .arg(success));
  statusBar()->showMessage(tr("Episode %1 of %2").arg(QString::fromStdString(episode_->name)).arg(loaded.path));
  emit episode_shown();
}

void MainWindow::set_instruction(const QString& text) { instruction_edit_->setText(text); }
QString MainWindow::instruction() const { return instruction_edit_->text(); }
QString MainWindow::message() const { return banner_->isVisible() ? banner_->text() : QString(); }

void MainWindow::show_message(const QString& text, bool error) {
  banner_->setText(text);
  banner_->setStyleSheet(error ? "background:#5a1d1d; color:#ffdddd; padding:6px; border-radius:4px;"
                               : "background:#1d3a5a; color:#ddeeff; padding:6px; border-radius:4px;");
  banner_->show();
  statusBar()->showMessage(error ? tr("Error") : text);
}

bool MainWindow::save_screenshot(const QString& png_path) { return grab().save(png_path, "PNG"); }

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings("X-WAM Studio", "xwam-studio");
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  QMainWindow::closeEvent(event);
}

}  // namespace xwam::studio
