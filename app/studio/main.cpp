// xwam-studio: the X-WAM Studio desktop app.
//   xwam-studio [--scene FILE.h5[:EPISODE]] [--session-file FILE.json] [--checkpoint CKPT] [--wan-dir DIR]
//               [--instruction TEXT] [--run] [--what-if TEXT] [--screenshot PNG] [--quit-after-run]
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include "app/studio/MainWindow.h"
#include "app/studio/RunPanel.h"
#include "engine/pipeline/api/Engine.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  xwam::pipeline::set_compute_threads(0);  // one per core, without OpenBLAS and LibTorch oversubscribing them
  QApplication::setApplicationName("xwam-studio");
  QCommandLineParser parser;
  parser.setApplicationDescription("X-WAM Studio: 4D world-action modeling of robot scenes");
  parser.addHelpOption();
  QCommandLineOption scene(QStringList{"scene"}, "Episode file to open, FILE.h5[:EPISODE] (default: the shipped scene).", "FILE");
  // Not "--session": QApplication takes that one for X11 session management.
  QCommandLineOption session(QStringList{"session-file"}, "Studio session to reopen (JSON, File ▸ Save Session).", "FILE");
  QCommandLineOption checkpoint(QStringList{"checkpoint"}, "Checkpoint to run (default: assets/checkpoints/demo).", "CKPT");
  QCommandLineOption wan_dir(QStringList{"wan-dir"},
                             "Wan2.2-TI2V-5B folder with the umT5 tokenizer a released X-WAM run lacks (remembered).", "DIR");
  QCommandLineOption instruction(QStringList{"instruction"}, "Instruction text instead of the episode's own.", "TEXT");
  QCommandLineOption run(QStringList{"run"}, "Run a prediction once the episode is shown.");
  QCommandLineOption screenshot(QStringList{"screenshot"},
                                "Save a screenshot once the scene is shown (after the run with --run), then quit.", "PNG");
  QCommandLineOption quit_after_run(QStringList{"quit-after-run"}, "Quit when the run ends (exit code 0 when it succeeded).");
  QCommandLineOption what_if(QStringList{"what-if"},
                             "With --run: run again with this instruction, then compare the two runs (A | B).", "TEXT");
  parser.addOptions({scene, session, checkpoint, wan_dir, instruction, run, what_if, screenshot, quit_after_run});
  parser.process(app);

  xwam::studio::MainWindow window;
  if (parser.isSet(checkpoint)) window.run_panel()->set_checkpoint(parser.value(checkpoint));
  if (parser.isSet(wan_dir)) window.run_panel()->set_wan_dir(parser.value(wan_dir));
  window.show();

  // What to do once the episode is on screen (first time only): instruction, run, screenshot, quit.
  const bool will_run = parser.isSet(run);
  const QString png = parser.value(screenshot);
  auto finish = [&window, &app, png](int rc) {
    // Let the layout settle for a moment before grabbing.
    QTimer::singleShot(300, &window, [&window, &app, png, rc] {
      if (!png.isEmpty() && !window.save_screenshot(png)) return app.exit(2);
      app.exit(rc);
    });
  };
  auto once = std::make_shared<bool>(false);
  QObject::connect(&window, &xwam::studio::MainWindow::episode_shown, &window, [&, once] {
    if (*once) return;
    *once = true;
    if (parser.isSet(instruction)) window.set_instruction(parser.value(instruction));
    if (will_run) {
      if (!window.run() && (parser.isSet(screenshot) || parser.isSet(quit_after_run))) finish(1);
    } else if (parser.isSet(screenshot)) {
      finish(0);
    }
  });
  // --what-if: the second run when the first is done, then the two side by side (what-if, A | B).
  const bool second_run = will_run && parser.isSet(what_if);
  if (second_run)
    QObject::connect(&window, &xwam::studio::MainWindow::run_finished, &window, [&](int status) {
      if (status != static_cast<int>(xwam::studio::RunOutcome::Status::Done) || window.runs().size() != 1) return;
      window.set_instruction(parser.value(what_if));
      if (!window.run() && (parser.isSet(screenshot) || parser.isSet(quit_after_run))) finish(1);
    });
  if (will_run && (parser.isSet(screenshot) || parser.isSet(quit_after_run)))
    QObject::connect(&window, &xwam::studio::MainWindow::run_finished, &window, [&, second_run](int status) {
      const bool done = status == static_cast<int>(xwam::studio::RunOutcome::Status::Done);
      if (done && second_run) {
        if (window.runs().size() < 2) return;  // the second run is on its way
        finish(window.compare_runs(0, 1) ? 0 : 1);
        return;
      }
      finish(done ? 0 : 1);
    });
  // A scene that cannot be opened still gives a screenshot of the window with its message.
  if (parser.isSet(screenshot) || parser.isSet(quit_after_run))
    QObject::connect(&window, &xwam::studio::MainWindow::failed, &window, [&, once] {
      if (!*once) finish(1);
    });

  if (parser.isSet(session)) {
    window.open_session(parser.value(session));
  } else {
    QString path = parser.isSet(scene) ? parser.value(scene) : QString(XWAM_DEFAULT_SCENE);
    int episode = 0;
    const int colon = path.lastIndexOf(':');
    static const QRegularExpression digits("^[0-9]+$");
    if (colon > 0 && digits.match(path.mid(colon + 1)).hasMatch()) {
      episode = path.mid(colon + 1).toInt();
      path = path.left(colon);
    }
    if (parser.isSet(scene) || QFileInfo::exists(path)) window.open_scene(path, episode);
    else if (parser.isSet(screenshot) || parser.isSet(quit_after_run)) finish(parser.isSet(quit_after_run) ? 1 : 0);
  }
  return app.exec();
}
