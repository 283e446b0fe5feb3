#include "app/studio/StudioMenus.h"

#include <QActionGroup>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <algorithm>

#include "app/studio/MainWindow.h"
#include "widgets/CameraGrid.h"
#include "widgets/FineTuneDialog.h"
#include "widgets/TimeModel.h"
#include "widgets/VulkanViewport.h"

namespace xwam::studio {

void build_menus(MainWindow& w) {
  QMenuBar* bar = w.menuBar();
  QMenu* file = bar->addMenu(QObject::tr("&File"));
  file->addAction(QObject::tr("&Open Scene…"), QKeySequence::Open, &w, [&w] {
    const QString path = QFileDialog::getOpenFileName(&w, QObject::tr("Open episode file"), QString(),
                                                      QObject::tr("Episode files (*.h5 *.hdf5);;All files (*)"));
    if (!path.isEmpty()) w.open_scene(path);
  });
  file->addAction(QObject::tr("Open &Session…"), &w, [&w] {
    const QString path = QFileDialog::getOpenFileName(&w, QObject::tr("Open session"), QString(), QObject::tr("Studio sessions (*.json)"));
    if (!path.isEmpty()) w.open_session(path);
  });
  auto save_as = [&w] {
    const QString path = QFileDialog::getSaveFileName(&w, QObject::tr("Save session"), "session.json", QObject::tr("Studio sessions (*.json)"));
    if (!path.isEmpty()) w.save_session(path);
  };
  file->addAction(QObject::tr("&Save Session"), QKeySequence::Save, &w, [&w, save_as] {
    w.session_path().isEmpty() ? save_as() : void(w.save_session(w.session_path()));
  });
  file->addAction(QObject::tr("Save Session &As…"), &w, save_as);
  QMenu* exports = file->addMenu(QObject::tr("&Export Rollout"));
  using geometry::ExportKind;
  const std::pair<ExportKind, QString> kinds[] = {{ExportKind::RolloutFrames, QObject::tr("PNG Frames (rollout directory)…")},
                                                  {ExportKind::PlySequence, QObject::tr("PLY Point-Cloud Sequence…")},
                                                  {ExportKind::MetricsJson, QObject::tr("Metrics JSON…")},
                                                  {ExportKind::ContactSheet, QObject::tr("Contact Sheet PNG…")},
                                                  {ExportKind::Heatmaps, QObject::tr("Depth-Error Heatmaps (PNG)…")},
                                                  {ExportKind::Video, QObject::tr("Comparison Video (mp4)…")}};
  for (const auto& [kind, label] : kinds)
    exports->addAction(label, &w, [&w, kind = kind] {
      static const QMap<ExportKind, QString> file_names{{ExportKind::MetricsJson, "metrics.json"},
                                                        {ExportKind::ContactSheet, "contact-sheet.png"},
                                                        {ExportKind::Video, "comparison.mp4"}};
      const QString target = geometry::writes_folder(kind) ? QFileDialog::getExistingDirectory(&w, QObject::tr("Export into"))
                                                           : QFileDialog::getSaveFileName(&w, QObject::tr("Export"), file_names[kind]);
      if (!target.isEmpty()) w.export_rollout(kind, target);
    });
  file->addSeparator();
  // What-if: the comparison of two runs (Runs panel), as `xwam compare --rollout A --rollout B` writes it.
  QMenu* what_if = file->addMenu(QObject::tr("Export &Comparison (A | B)"));
  what_if->addAction(QObject::tr("Video recording | A | B (mp4)…"), &w, [&w] {
    const QString target = QFileDialog::getSaveFileName(&w, QObject::tr("Export"), "what-if.mp4");
    if (!target.isEmpty()) w.export_what_if(geometry::WhatIfExportKind::Video, target);
  });
  what_if->addAction(QObject::tr("Current Frame recording | A | B (PNG)…"), &w, [&w] {
    const QString target = QFileDialog::getSaveFileName(&w, QObject::tr("Export"), "what-if.png");
    if (!target.isEmpty()) w.export_what_if(geometry::WhatIfExportKind::Frame, target, std::max(0, w.camera_grid()->predicted_index()));
  });
  what_if->addAction(QObject::tr("Metrics A, B, A − B (JSON)…"), &w, [&w] {
    const QString target = QFileDialog::getSaveFileName(&w, QObject::tr("Export"), "what-if.json");
    if (!target.isEmpty()) w.export_what_if(geometry::WhatIfExportKind::MetricsJson, target);
  });
  file->addAction(QObject::tr("&Quit"), QKeySequence::Quit, &w, &QWidget::close);

  QMenu* run_menu = bar->addMenu(QObject::tr("&Run"));
  run_menu->addAction(QObject::tr("&Run"), QKeySequence(Qt::CTRL | Qt::Key_R), &w, [&w] { w.run(); });
  run_menu->addAction(QObject::tr("&Cancel"), QKeySequence(Qt::Key_Escape), &w, &MainWindow::cancel_run);
  run_menu->addAction(QObject::tr("&Imagine Edited Actions"), &w, [&w] { w.imagine(); });
  run_menu->addSeparator();
  run_menu->addAction(QObject::tr("&Fine-tune…"), &w, [&w] {
    w.fine_tune_dialog()->show();
    w.fine_tune_dialog()->raise();
  });

  QMenu* playback = bar->addMenu(QObject::tr("&Playback"));
  playback->addAction(QObject::tr("Play / Pause"), QKeySequence(Qt::Key_Space), w.time(), &widgets::TimeModel::toggle_play);
  playback->addAction(QObject::tr("Next Frame"), QKeySequence(Qt::Key_Right), w.time(), [&w] { w.time()->step(1); });
  playback->addAction(QObject::tr("Previous Frame"), QKeySequence(Qt::Key_Left), w.time(), [&w] { w.time()->step(-1); });

  QMenu* view = bar->addMenu(QObject::tr("&View"));
  for (QDockWidget* d : w.findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());
  view->addSeparator();
  QAction* errors = view->addAction(QObject::tr("Depth Error Heatmaps"));
  errors->setCheckable(true);
  QObject::connect(errors, &QAction::toggled, w.camera_grid(), &widgets::CameraGrid::set_show_depth_errors);
  // The 3D view's colouring one click away: the predicted cloud's error to the recorded one above all.
  QMenu* colours = view->addMenu(QObject::tr("3D &Colour"));
  auto* colour_group = new QActionGroup(colours);
  const std::pair<render::ColorMode, QString> modes[] = {{render::ColorMode::Rgb, QObject::tr("RGB")},
                                                         {render::ColorMode::Error, QObject::tr("Error to the Recording")},
                                                         {render::ColorMode::Depth, QObject::tr("Depth")},
                                                         {render::ColorMode::Height, QObject::tr("Height")},
                                                         {render::ColorMode::View, QObject::tr("Source Camera")}};
  int shortcut = 1;
  for (const auto& [mode, label] : modes) {
    QAction* a = colours->addAction(label, &w, [&w, mode = mode] { w.view_3d()->set_color_mode(mode); });
    a->setCheckable(true);
    a->setChecked(mode == render::ColorMode::Rgb);
    a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_0 + shortcut++)));
    colour_group->addAction(a);
  }
  QAction* side = view->addAction(QObject::tr("3D Side by Side (predicted | recorded)"));
  side->setCheckable(true);
  QObject::connect(side, &QAction::toggled, &w, [&w](bool on) {
    w.view_3d()->set_layout(on ? render::Layout::SideBySide : render::Layout::Overlay);
  });
  QAction* overlay = view->addAction(QObject::tr("3D Overlay (stats, colours, point size)"));
  overlay->setCheckable(true);
  QObject::connect(overlay, &QAction::toggled, w.view_3d(), &widgets::VulkanViewport::set_show_overlay);

  bar->addMenu(QObject::tr("&Help"))->addAction(QObject::tr("About X-WAM Studio"), &w, [&w] {
    QMessageBox::about(&w, QObject::tr("About X-WAM Studio"),
                       QObject::tr("X-WAM Studio: 4D world-action modeling of robot scenes — action-first "
                          "asynchronous denoising, multi-view RGB-D prediction, fused 4D point clouds."));
  });
}

}  // namespace xwam::studio
