#include "app/studio/WindowSettings.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include "app/studio/MainWindow.h"
#include "app/studio/RunPanel.h"

namespace xwam::studio {

void restore_window_settings(MainWindow& w) {
  QSettings settings("X-WAM Studio", "xwam-studio");
  w.restoreGeometry(settings.value("window/geometry").toByteArray());
  if (!w.restoreState(settings.value("window/state").toByteArray())) {
    // First start: dock sizes once the window has its size (before that they are not applied).
    QTimer::singleShot(0, &w, [&w] {
      auto d = [&w](const char* name) { return w.findChild<QDockWidget*>(name); };
      w.resizeDocks({d("actions_dock"), d("metrics_dock")}, {1, 1}, Qt::Horizontal);
      w.resizeDocks({d("actions_dock")}, {w.height() / 3}, Qt::Vertical);
      w.resizeDocks({d("scene_dock"), d("run_dock")}, {1, 1}, Qt::Vertical);
      w.resizeDocks({d("view3d_dock")}, {w.width() * 3 / 10}, Qt::Horizontal);
    });
  }
  w.run_panel()->add_checkpoint(MainWindow::default_checkpoint(), QObject::tr("demo (shipped)"));
  // Checkpoints picked or trained in earlier sessions, while they still exist.
  const QStringList known = settings.value("run/checkpoints").toStringList();
  const QStringList labels = settings.value("run/checkpoint_labels").toStringList();
  for (int i = 0; i < known.size(); ++i)
    if (QFileInfo::exists(known[i])) w.run_panel()->add_checkpoint(known[i], i < labels.size() ? labels[i] : QString());
  const QString last = settings.value("run/checkpoint").toString();
  w.run_panel()->set_checkpoint(QFileInfo::exists(last) ? last : MainWindow::default_checkpoint());
  w.run_panel()->set_wan_dir(settings.value("run/wan_dir").toString());
  w.run_panel()->set_device(settings.value("run/device", "cpu").toString(), settings.value("run/dtype").toString());
}

void save_window_settings(MainWindow& w) {
  QSettings settings("X-WAM Studio", "xwam-studio");
  settings.setValue("window/geometry", w.saveGeometry());
  settings.setValue("window/state", w.saveState());
  settings.setValue("run/checkpoint", w.run_panel()->checkpoint());
  settings.setValue("run/checkpoints", w.run_panel()->checkpoints());
  settings.setValue("run/checkpoint_labels", w.run_panel()->checkpoint_labels());
  settings.setValue("run/wan_dir", w.run_panel()->wan_dir());
  const RunSettings r = w.run_panel()->settings();
  settings.setValue("run/device", QString::fromStdString(r.device.name()));
  settings.setValue("run/dtype", pipeline::dtype_label(r.dtype));
}

}  // namespace xwam::studio
