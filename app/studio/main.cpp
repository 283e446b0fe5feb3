// xwam-studio: the X-WAM Studio desktop app.
//   xwam-studio [--scene FILE.h5[:EPISODE]] [--instruction TEXT] [--screenshot PNG]
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include "app/studio/MainWindow.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("xwam-studio");
  QCommandLineParser parser;
  parser.setApplicationDescription("X-WAM Studio: 4D world-action modeling of robot scenes");
  parser.addHelpOption();
  QCommandLineOption scene(QStringList{"scene"}, "Episode file to open, FILE.h5[:EPISODE].", "FILE");
  QCommandLineOption instruction(QStringList{"instruction"}, "Instruction text to start from.", "TEXT");
  QCommandLineOption screenshot(QStringList{"screenshot"}, "Save a screenshot once the scene is shown, then quit.", "PNG");
  parser.addOptions({scene, instruction, screenshot});
  parser.process(app);

  xwam::studio::MainWindow window;
  window.show();

  QString path = parser.isSet(scene) ? parser.value(scene) : QString(XWAM_DEFAULT_SCENE);
  int episode = 0;
  int colon = path.lastIndexOf(':');
  static const QRegularExpression digits("^[0-9]+$");
  if (colon > 0 && digits.match(path.mid(colon + 1)).hasMatch()) {
    episode = path.mid(colon + 1).toInt();
    path = path.left(colon);
  }
  if (parser.isSet(scene) || QFileInfo::exists(path)) window.open_scene(path, episode);

  if (parser.isSet(screenshot)) {
    const QString png = parser.value(screenshot);
    auto shoot = [&window, &app, png] {
      // Let the layout settle for a moment before grabbing.
      QTimer::singleShot(300, &window, [&window, &app, png] {
        int rc = window.save_screenshot(png) ? 0 : 1;
        app.exit(rc);
      });
    };
    QObject::connect(&window, &xwam::studio::MainWindow::episode_shown, &window, shoot);
    QObject::connect(&window, &xwam::studio::MainWindow::failed, &window, shoot);
    if (!parser.isSet(scene) && !QFileInfo::exists(path)) shoot();
  }
  if (parser.isSet(instruction)) {
    QObject::connect(&window, &xwam::studio::MainWindow::episode_shown, &window,
                     [&window, text = parser.value(instruction)] { window.set_instruction(text); });
  }
  return app.exec();
}
