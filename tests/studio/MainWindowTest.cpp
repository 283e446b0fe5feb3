// The main window, driven headless: open a scene, scrub the timeline, survive a bad file; run a tiny
// checkpoint (made here by the real `xwam train`) on a worker while the event loop keeps ticking, see
// the action chunk before the video, scrub the prediction, read the metrics; cancel; imagine edited
// actions; save and reopen a session; export; fine-tune through the dialog and cancel a fine-tune.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QAction>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QTimer>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/geometry/ComparisonImages.h"
#include "engine/geometry/RolloutExports.h"
#include "app/session/Session.h"
#include "app/studio/MainWindow.h"
#include "app/studio/RunPanel.h"
#include "widgets/VulkanViewport.h"
#include "widgets/ActionPlot.h"
#include "widgets/CameraGrid.h"
#include "widgets/FineTuneDialog.h"
#include "widgets/LossPlot.h"
#include "widgets/MetricsTable.h"
#include "widgets/TimeModel.h"
#include "widgets/Timeline.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Frame t of camera c is filled with a flat colour that encodes (c, t).
std::string write_scene(int frames) {
  auto path = (fs::temp_directory_path() / ("xwam_studio_test_" + std::to_string(::getpid()) + ".h5")).string();
  data::Episode ep;
  ep.name = "flat";
  ep.instruction = "stack the blue block on the red one";
  ep.num_frames = ep.total_frames = frames;
  const int W = 32, H = 24;
  for (int c = 0; c < 2; ++c) {
    data::CameraInfo cam;
    cam.name = c == 0 ? "main" : "wrist";
    cam.width = W;
    cam.height = H;
    cam.has_depth = true;
    ep.cameras.push_back(cam);
    std::vector<uint8_t> rgb(static_cast<size_t>(frames) * W * H * 3);
    std::vector<float> depth(static_cast<size_t>(frames) * W * H);
    for (int t = 0; t < frames; ++t)
      for (int i = 0; i < W * H; ++i) {
        uint8_t* px = rgb.data() + (static_cast<size_t>(t) * W * H + i) * 3;
        px[0] = static_cast<uint8_t>(40 * t);
        px[1] = static_cast<uint8_t>(100 * c);
        px[2] = 7;
        depth[static_cast<size_t>(t) * W * H + i] = 0.5f + 0.01f * (i % W);
      }
    ep.rgb.push_back(rgb);
    ep.depth.push_back(depth);
  }
  ep.states.assign(static_cast<size_t>(frames) * data::kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(frames) * data::kActionDim, 0.f);
  data::EpisodeFileWriter writer(path);
  writer.add(ep);
  writer.commit();
  return path;
}

}  // namespace

TEST(MainWindow, OpensASceneAndTheTimelineScrubsTheImages) {
  auto path = write_scene(4);
  studio::MainWindow window;
  window.show();
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(path));
  ASSERT_TRUE(shown.wait(10000)) << window.message().toStdString();
  ASSERT_TRUE(window.episode());
  EXPECT_EQ(window.instruction(), "stack the blue block on the red one");

  QImage first = window.camera_grid()->shown_rgb(1);
  ASSERT_FALSE(first.isNull());
  EXPECT_EQ(QColor(first.pixel(5, 5)), QColor(0, 100, 7));

  window.time()->set_frame(3);
  QImage later = window.camera_grid()->shown_rgb(1);
  EXPECT_EQ(QColor(later.pixel(5, 5)), QColor(120, 100, 7));
  EXPECT_EQ(window.camera_grid()->frame(), 3);
  fs::remove(path);
}

TEST(MainWindow, ABadFileShowsAMessageAndTheWindowStaysUsable) {
  auto bad = (fs::temp_directory_path() / ("xwam_studio_bad_" + std::to_string(::getpid()) + ".h5")).string();
  std::ofstream(bad) << "garbage";
  studio::MainWindow window;
  window.show();
  QSignalSpy failed(&window, &studio::MainWindow::failed);
  window.open_scene(QString::fromStdString(bad));
  ASSERT_TRUE(failed.wait(10000));
  EXPECT_TRUE(window.message().contains("not an HDF5 file")) << window.message().toStdString();
  EXPECT_TRUE(window.message().contains(QString::fromStdString(bad)));

  // Still usable: a good file opens afterwards and clears the message.
  auto good = write_scene(2);
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(good));
  ASSERT_TRUE(shown.wait(10000));
  EXPECT_TRUE(window.message().isEmpty());
  fs::remove(bad);
  fs::remove(good);
}

TEST(MainWindow, MenusCarryTheExpectedShortcutsAndDockLayoutIsRestored) {
  {
    studio::MainWindow window;
    window.show();
    std::map<QString, QKeySequence> shortcuts;
    for (QAction* a : window.findChildren<QAction*>()) shortcuts[a->text().remove('&')] = a->shortcut();
    EXPECT_EQ(shortcuts["Open Scene…"], QKeySequence(QKeySequence::Open));
    EXPECT_EQ(shortcuts["Save Session"], QKeySequence(QKeySequence::Save));
    EXPECT_EQ(shortcuts["Run"], QKeySequence(Qt::CTRL | Qt::Key_R));
    EXPECT_EQ(shortcuts["Cancel"], QKeySequence(Qt::Key_Escape));
    EXPECT_EQ(shortcuts["Play / Pause"], QKeySequence(Qt::Key_Space));
    EXPECT_EQ(shortcuts["Next Frame"], QKeySequence(Qt::Key_Right));
    EXPECT_EQ(shortcuts["Previous Frame"], QKeySequence(Qt::Key_Left));
    // Run without a scene: a message, no crash.
    for (QAction* a : window.findChildren<QAction*>())
      if (a->text().remove('&') == "Run") a->trigger();
    EXPECT_TRUE(window.message().contains("Open a scene first")) << window.message().toStdString();
    window.findChild<QDockWidget*>("metrics_dock")->hide();
    window.close();  // saves the layout (QSettings, test location)
  }
  studio::MainWindow again;
  again.show();
  EXPECT_FALSE(again.findChild<QDockWidget*>("metrics_dock")->isVisible());
  again.findChild<QDockWidget*>("metrics_dock")->show();
  again.close();
}

TEST(TimeModel, StepsStayInRangePlaybackAdvancesAndTheTimelineFollows) {
  widgets::TimeModel time;
  widgets::Timeline timeline(&time);
  time.set_range(3, 100.0);
  QSignalSpy changed(&time, &widgets::TimeModel::frame_changed);
  time.step(-1);
  EXPECT_EQ(time.frame(), 0);
  time.step(5);
  EXPECT_EQ(time.frame(), 2);
  EXPECT_EQ(timeline.findChild<QSlider*>()->value(), 2);  // the view shows the model's frame
  timeline.findChild<QSlider*>()->setValue(1);           // and the user's slider moves the model
  EXPECT_EQ(time.frame(), 1);
  time.set_predicted_frames({1, 2});
  EXPECT_EQ(time.predicted_index(), 0);
  time.set_frame(0);
  EXPECT_EQ(time.predicted_index(), -1);
  time.play();
  ASSERT_TRUE(changed.wait(2000));
  EXPECT_TRUE(time.playing());
  time.pause();
  EXPECT_FALSE(time.playing());
}

// ---- runs against a tiny checkpoint -----------------------------------------------------------

namespace {

const std::string kXwam = XWAM_BINARY_DIR "/bin/xwam";
const std::string kTinyConfig = XWAM_SOURCE_DIR "/assets/configs/tiny-train.json";
using Status = studio::RunOutcome::Status;

// A tiny generated scene and a 4-step tiny checkpoint trained on it by the real `xwam train`, made
// once for the whole binary.
struct TinyWorld {
  fs::path dir, scene, run;
  TinyWorld() {
    dir = fs::temp_directory_path() / ("xwam_studio_tiny_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    scene = dir / "scene.h5";
    run = dir / "run";
    const std::string gen = kXwam + " generate --episodes 2 --seed 3 --frames 24 --width 32 --height 32 --out " +
                            scene.string() + " > /dev/null 2>&1";
    const std::string train = kXwam + " train --config " + kTinyConfig + " --data " + scene.string() + " --out " +
                              run.string() + " > /dev/null 2>&1";
    ok = std::system(gen.c_str()) == 0 && std::system(train.c_str()) == 0;
  }
  ~TinyWorld() { fs::remove_all(dir); }
  bool ok = false;
};

TinyWorld& tiny() {
  static TinyWorld world;
  return world;
}

// A window with the tiny scene open and the tiny checkpoint chosen, few steps.
void open_tiny(studio::MainWindow& window, int steps_video = 4) {
  ASSERT_TRUE(tiny().ok) << "xwam generate/train failed: " << kXwam;
  window.resize(1280, 800);
  window.show();
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(tiny().scene.string()));
  ASSERT_TRUE(shown.wait(20000)) << window.message().toStdString();
  window.run_panel()->set_checkpoint(QString::fromStdString(tiny().run.string()));
  window.run_panel()->set_steps(2, steps_video);
}

int wait_run(studio::MainWindow& window, int timeout_ms = 60000) {
  QSignalSpy finished(&window, &studio::MainWindow::run_finished);
  if (!finished.wait(timeout_ms)) return -1;
  return finished.at(0).at(0).toInt();
}

}  // namespace

TEST(MainWindowRun, ActionsFirstThenVideoWhileTheEventLoopTicksThenScrubAndMetrics) {
  studio::MainWindow window;
  open_tiny(window, 300);  // some hundreds of ms of denoising on the tiny model

  // Event order as the window's slots see it; the action plot must be filled when the chunk arrives.
  QStringList events;
  bool plot_filled_at_action = false;
  int frames_3d_at_action = -1;
  QObject::connect(window.runner(), &studio::RolloutRunner::action_ready, &window, [&] {
    events << "action";
    plot_filled_at_action = window.action_plot()->has_predicted();
    frames_3d_at_action = window.view_3d()->frame_count();  // the predicted end-effector path is in
  });
  QObject::connect(window.runner(), &studio::RolloutRunner::frames_decoded, &window, [&] { events << "frame"; });
  QObject::connect(window.runner(), &studio::RolloutRunner::finished, &window, [&] { events << "finished"; });

  // The GUI thread keeps servicing its event loop during the run: a 10 ms timer keeps firing.
  QElapsedTimer clock;
  qint64 last = 0, max_gap = 0;
  int ticks = 0;
  QTimer tick;
  tick.setInterval(10);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    max_gap = std::max(max_gap, now - last);
    last = now;
    ++ticks;
  });
  clock.start();
  tick.start();
  ASSERT_TRUE(window.run()) << window.message().toStdString();
  EXPECT_TRUE(window.running());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  tick.stop();
  std::printf("[ measure  ] run %lld ms, %d ticks of 10 ms, max gap %lld ms\n", static_cast<long long>(clock.elapsed()),
              ticks, static_cast<long long>(max_gap));
  EXPECT_LT(max_gap, 250) << "the GUI thread was blocked";
  // Headless (offscreen) there is no Vulkan device: the 3D view says so and everything else works.
  if (!window.view_3d()->vulkan_available()) EXPECT_FALSE(window.view_3d()->unavailable_reason().isEmpty());
  EXPECT_GT(ticks, 5);

  ASSERT_GE(events.size(), 3) << events.join(",").toStdString();
  EXPECT_EQ(events.front(), "action") << events.join(",").toStdString();
  EXPECT_TRUE(events.contains("frame"));
  EXPECT_EQ(events.back(), "finished");
  EXPECT_TRUE(plot_filled_at_action);
  EXPECT_GE(frames_3d_at_action, 1);

  // Metrics: mean, baseline and one row per predicted frame.
  ASSERT_TRUE(window.report());
  ASSERT_TRUE(window.rollout());
  const int K = window.rollout()->num_frames();
  ASSERT_GE(K, 2);
  EXPECT_EQ(window.metrics_table()->frame_rows(), K);
  EXPECT_EQ(window.time()->predicted_frames().size(), static_cast<size_t>(K));  // predicted frames ticked
  EXPECT_NE(window.metrics_table()->item(0, 1)->text(), "–");  // mean PSNR is a number

  // Scrubbing: the predicted and recorded images follow the timeline.
  const auto& frames = window.rollout()->frame_indices;
  window.time()->set_frame(frames.front());
  ASSERT_EQ(window.camera_grid()->predicted_index(), 0);
  const QImage pred_first = window.camera_grid()->shown_predicted_rgb(0);
  const QImage rec_first = window.camera_grid()->shown_rgb(0);
  EXPECT_EQ(window.view_3d()->frame(), 0);
  window.time()->set_frame(frames.back());
  EXPECT_EQ(window.camera_grid()->predicted_index(), K - 1);
  EXPECT_EQ(window.view_3d()->frame_count(), K);  // predicted over recorded clouds, one per predicted frame
  EXPECT_EQ(window.view_3d()->frame(), K - 1);
  ASSERT_FALSE(pred_first.isNull());
  EXPECT_NE(window.camera_grid()->shown_predicted_rgb(0), pred_first);
  EXPECT_NE(window.camera_grid()->shown_rgb(0), rec_first);
  window.time()->set_frame(0);
  if (frames.front() > 0) EXPECT_TRUE(window.camera_grid()->shown_predicted_rgb(0).isNull());
}

TEST(MainWindowRun, CancelStopsTheRunAndTheWindowStaysUsable) {
  studio::MainWindow window;
  open_tiny(window, 400);  // long enough to cancel in the middle
  bool cancelled = false;
  QObject::connect(window.runner(), &studio::RolloutRunner::video_step, &window, [&](int step) {
    if (step == 1 && !cancelled) window.cancel_run(), cancelled = true;
  });
  QElapsedTimer clock;
  clock.start();
  ASSERT_TRUE(window.run());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Cancelled)) << window.message().toStdString();
  std::printf("[ measure  ] cancelled after %lld ms\n", static_cast<long long>(clock.elapsed()));
  EXPECT_FALSE(window.running());
  EXPECT_FALSE(window.rollout());
  EXPECT_EQ(window.message(), "Run cancelled.");
  EXPECT_TRUE(window.run_panel()->run_button()->isEnabled());

  // Usable afterwards: a short run completes.
  window.run_panel()->set_steps(2, 2);
  ASSERT_TRUE(window.run());
  EXPECT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
}

TEST(MainWindowRun, AWrongOrMissingCheckpointShowsAMessage) {
  studio::MainWindow window;
  open_tiny(window);
  // Missing: refused before any work.
  window.run_panel()->set_checkpoint("/nonexistent/checkpoint");
  EXPECT_FALSE(window.run());
  EXPECT_TRUE(window.message().contains("/nonexistent/checkpoint")) << window.message().toStdString();
  // Present but not a checkpoint: the engine's error, named.
  window.run_panel()->set_checkpoint(QString::fromStdString(tiny().dir.string()));
  ASSERT_TRUE(window.run());
  EXPECT_EQ(wait_run(window), static_cast<int>(Status::Failed));
  EXPECT_TRUE(window.message().contains(QString::fromStdString(tiny().dir.string()))) << window.message().toStdString();
  // Still usable.
  window.run_panel()->set_checkpoint(QString::fromStdString(tiny().run.string()));
  ASSERT_TRUE(window.run());
  EXPECT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  EXPECT_TRUE(window.message().isEmpty());
}

// A run as the released X-WAM trainer leaves it (umT5 text encoder, no tokenizer inside): the Run
// panel's Wan2.2 dir field supplies the tokenizer, and the field is remembered.
TEST(MainWindowRun, AReleasedRunLoadsWithTheWanDirField) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_studio_released_" + std::to_string(::getpid()));
  const std::string fixture = std::string(XWAM_RELEASED_RUN_FIXTURE) + " " + dir.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(fixture.c_str()), 0) << fixture;
  const QString wan = QString::fromStdString((dir / "wan").string());
  {
    studio::MainWindow window;
    open_tiny(window, 2);
    window.run_panel()->set_checkpoint(QString::fromStdString((dir / "run").string()));
    // Labelled "run" like the tiny training run: the picker still means this one.
    EXPECT_EQ(window.run_panel()->checkpoint(), QString::fromStdString((dir / "run").string()));
    window.run_panel()->set_wan_dir("");
    ASSERT_TRUE(window.run());
    EXPECT_EQ(wait_run(window), static_cast<int>(Status::Failed));
    EXPECT_TRUE(window.message().contains("spiece.model")) << window.message().toStdString();
    EXPECT_TRUE(window.message().contains("Wan2.2 dir")) << window.message().toStdString();
    window.run_panel()->set_wan_dir(wan);
    ASSERT_TRUE(window.run());
    ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
    ASSERT_TRUE(window.rollout());
    EXPECT_EQ(window.rollout()->views.size(), 2u);
    // Fine-tuning from it passes the folder on to `xwam train --init`.
    widgets::FineTuneDialog* dialog = window.fine_tune_dialog();
    dialog->set_init_checkpoint(QString::fromStdString((dir / "run").string()));
    const QStringList args = dialog->train_arguments("config.json");
    ASSERT_TRUE(args.contains("--wan-dir")) << args.join(' ').toStdString();
    EXPECT_EQ(args.at(args.indexOf("--wan-dir") + 1), wan);
    window.close();  // remembers the field (QSettings, test location)
  }
  studio::MainWindow again;
  EXPECT_EQ(again.run_panel()->wan_dir(), wan);
  EXPECT_EQ(again.run_panel()->settings().wan_dir, wan.toStdString());
  again.run_panel()->set_wan_dir("");
  again.close();
  fs::remove_all(dir);
}

TEST(MainWindowRun, ImagineRunsTheEditedActionChunk) {
  studio::MainWindow window;
  open_tiny(window, 2);
  ASSERT_TRUE(window.run());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  widgets::ActionPlot* plot = window.action_plot();
  ASSERT_TRUE(plot->has_predicted());
  const int dim = plot->dimensions().front();
  plot->scale_offset(dim, 0.0, 0.05);  // the whole dimension set to 0.05
  ASSERT_TRUE(plot->is_edited());
  const std::vector<float> edited = plot->edited_actions();
  ASSERT_TRUE(window.imagine()) << window.message().toStdString();
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  // The imagined rollout carries the given actions, and the edits stay on screen.
  ASSERT_EQ(window.rollout()->actions.size(), edited.size());
  for (size_t i = 0; i < edited.size(); ++i) EXPECT_NEAR(window.rollout()->actions[i], edited[i], 1e-4) << i;
  EXPECT_TRUE(plot->is_edited());
}

TEST(MainWindowRun, SessionSavesAndReopensWithItsRolloutAndExportsWork) {
  const fs::path dir = tiny().dir / "session";
  fs::create_directories(dir);
  const QString session = QString::fromStdString((dir / "s.json").string());
  {
    studio::MainWindow window;
    open_tiny(window, 2);
    window.set_instruction("put the cube in the bowl");
    ASSERT_TRUE(window.run());
    ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
    window.time()->set_frame(5);
    ASSERT_TRUE(window.save_session(session)) << window.message().toStdString();

    // Exports, as the File ▸ Export menu runs them.
    const auto& ep = *window.episode();
    const auto& ro = *window.rollout();
    const QString sheet = QString::fromStdString((dir / "sheet.png").string());
    using geometry::ExportKind;
    const OutputOptions replace{true, ""};
    geometry::export_rollout(ExportKind::ContactSheet, sheet.toStdString(), ep, ro, window.report().get(), replace);
    EXPECT_EQ(QImage(sheet).width(), geometry::contact_sheet(ep, ro).width);
    const QString metrics = QString::fromStdString((dir / "metrics.json").string());
    geometry::export_rollout(ExportKind::MetricsJson, metrics.toStdString(), ep, ro, window.report().get(), replace);
    QFile mf(metrics);
    ASSERT_TRUE(mf.open(QIODevice::ReadOnly));
    EXPECT_TRUE(QJsonDocument::fromJson(mf.readAll()).object().contains("baselines"));
    const QString video = QString::fromStdString((dir / "side.mp4").string());
    geometry::export_rollout(ExportKind::Video, video.toStdString(), ep, ro, nullptr, replace);
    EXPECT_GT(fs::file_size(video.toStdString()), 100u);
    geometry::export_rollout(ExportKind::RolloutFrames, (dir / "frames").string(), ep, ro, nullptr, {});
    EXPECT_TRUE(fs::exists(dir / "frames" / "manifest.json"));
    geometry::export_rollout(ExportKind::PlySequence, (dir / "ply").string(), ep, ro, nullptr, {});
    EXPECT_TRUE(fs::exists(dir / "ply" / "sequence.json"));
  }
  studio::MainWindow reopened;
  reopened.show();
  QSignalSpy restored(&reopened, &studio::MainWindow::session_restored);
  ASSERT_TRUE(reopened.open_session(session)) << reopened.message().toStdString();
  ASSERT_TRUE(restored.wait(30000)) << reopened.message().toStdString();
  EXPECT_EQ(reopened.scene_path(), QString::fromStdString(tiny().scene.string()));
  EXPECT_EQ(reopened.instruction(), "put the cube in the bowl");
  EXPECT_EQ(reopened.time()->frame(), 5);
  EXPECT_EQ(reopened.run_panel()->checkpoint(), QString::fromStdString(tiny().run.string()));
  ASSERT_TRUE(reopened.rollout());
  EXPECT_GT(reopened.metrics_table()->frame_rows(), 0);
  EXPECT_TRUE(reopened.action_plot()->has_predicted());
}

// ---- progressive frames and what-if -----------------------------------------------------------

TEST(MainWindowRun, FramesArriveOneDecodedFrameAtATimeBeforeTheRunFinishes) {
  studio::MainWindow window;
  open_tiny(window, 2);
  // At each decoded latent frame: what the tiles and the timeline show, and whether the run is over.
  struct Seen {
    int decoded, frames, grid_frames, ticks, predicted_index;
    bool finished;
  };
  std::vector<Seen> seen;
  bool finished = false;
  QObject::connect(window.runner(), &studio::RolloutRunner::frames_decoded, &window,
                   [&](std::shared_ptr<const geometry::Rollout> partial, int decoded, int frames) {
                     EXPECT_EQ(partial->num_frames(), decoded);
                     EXPECT_NO_THROW(partial->validate());
                     // The window's own slot ran first (it was connected first): the tiles show the part.
                     const auto shown = window.camera_grid()->rollout();
                     window.time()->set_frame(partial->frame_indices.back() - window.episode()->first_frame);
                     seen.push_back({decoded, frames, shown ? shown->num_frames() : -1,
                                     static_cast<int>(window.time()->predicted_frames().size()),
                                     window.camera_grid()->predicted_index(), finished});
                   });
  QObject::connect(window.runner(), &studio::RolloutRunner::finished, &window, [&] { finished = true; });
  ASSERT_TRUE(window.run());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  const int K = window.rollout()->num_frames();
  // Tiny model: 2 future latent frames of 4 video frames each, so two steps of 4 frames.
  ASSERT_GE(seen.size(), 2u);
  int last = 0;
  for (const Seen& s : seen) {
    EXPECT_FALSE(s.finished);
    EXPECT_GT(s.decoded, last);  // one decoded latent frame more each time
    EXPECT_EQ(s.frames, K);
    EXPECT_EQ(s.grid_frames, s.decoded);  // the camera tiles show the frames decoded so far
    EXPECT_EQ(s.ticks, s.decoded);        // and the timeline ticks them
    EXPECT_EQ(s.predicted_index, s.decoded - 1);
    last = s.decoded;
  }
  EXPECT_LT(seen.front().decoded, K);
  EXPECT_EQ(seen.back().decoded, K);
  // The frames shown while decoding are the finished rollout's.
  EXPECT_EQ(window.camera_grid()->rollout()->views[0].rgb, window.rollout()->views[0].rgb);
  EXPECT_EQ(window.metrics_table()->frame_rows(), K);
}

namespace {
// Runs the window with `instruction` and waits for the run to finish.
void run_with(studio::MainWindow& window, const QString& instruction) {
  window.set_instruction(instruction);
  ASSERT_TRUE(window.run()) << window.message().toStdString();
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
}
}  // namespace

TEST(MainWindowRun, TwoRunsWithDifferentInstructionsAreComparedInOneView) {
  studio::MainWindow window;
  open_tiny(window, 2);
  run_with(window, "pick up the red cube");
  run_with(window, "push the cube to the left");
  // The history holds both, with their settings; the newest is A, the one before B.
  ASSERT_EQ(window.runs().size(), 2u);
  EXPECT_EQ(window.runs()[0].settings.request.instruction, "pick up the red cube");
  EXPECT_EQ(window.runs()[1].settings.request.instruction, "push the cube to the left");
  EXPECT_TRUE(window.runs()[1].label.contains("push the cube")) << window.runs()[1].label.toStdString();
  EXPECT_GT(window.runs()[1].total_ms, 0);
  EXPECT_EQ(window.run_history()->count(), 2);
  EXPECT_EQ(window.run_history()->picked_a(), 1);
  EXPECT_EQ(window.run_history()->picked_b(), 0);
  EXPECT_FALSE(window.comparing());

  // Compare A | B: the button of the Runs panel.
  window.run_history()->pick(0, 1);
  window.run_history()->findChild<QPushButton*>()->click();
  ASSERT_TRUE(window.comparing()) << window.message().toStdString();
  EXPECT_EQ(window.compared_a(), 0);
  EXPECT_EQ(window.compared_b(), 1);
  const auto& a = *window.runs()[0].rollout;
  const auto& b = *window.runs()[1].rollout;
  EXPECT_NE(a.views[0].rgb, b.views[0].rgb);  // two futures
  // Per camera recording | A | B on one timeline: scrub to the last predicted frame.
  window.time()->set_frame(a.frame_indices.back() - window.episode()->first_frame);
  const int k = window.camera_grid()->predicted_index();
  ASSERT_EQ(k, a.num_frames() - 1);
  EXPECT_EQ(window.camera_grid()->rollout().get(), window.runs()[0].rollout.get());
  EXPECT_EQ(window.camera_grid()->compared().get(), window.runs()[1].rollout.get());
  const QImage shown_a = window.camera_grid()->shown_predicted_rgb(0), shown_b = window.camera_grid()->shown_compared_rgb(0);
  ASSERT_FALSE(shown_a.isNull());
  ASSERT_FALSE(shown_b.isNull());
  EXPECT_NE(shown_a, shown_b);
  EXPECT_FALSE(window.camera_grid()->shown_rgb(0).isNull());
  // Both action chunks, and the metrics of each with A − B.
  EXPECT_TRUE(window.action_plot()->has_predicted());
  EXPECT_TRUE(window.action_plot()->has_compared());
  const auto w = window.what_if();
  ASSERT_TRUE(w);
  EXPECT_DOUBLE_EQ(w->a_minus_b.action_mse, w->a.prediction.mean.action_mse - w->b.prediction.mean.action_mse);
  EXPECT_EQ(window.metrics_table()->item(2, 0)->text(), "A − B");
  EXPECT_EQ(window.metrics_table()->item(2, 6)->text(), widgets::metric_text(w->a_minus_b.action_mse, 5));
  EXPECT_EQ(window.metrics_table()->frame_rows(), a.num_frames());
  // For a person to look at: XWAM_TEST_SHOTS=DIR saves the window.
  if (const char* shots = std::getenv("XWAM_TEST_SHOTS")) window.save_screenshot(QString(shots) + "/what-if.png");

  // A run from another start frame cannot stand beside them: the banner says why.
  window.run_panel()->set_start_frame(3, window.episode()->num_frames);
  run_with(window, "pick up the red cube");
  EXPECT_FALSE(window.comparing());  // a new run is shown alone
  EXPECT_FALSE(window.compare_runs(0, 2));
  EXPECT_TRUE(window.message().contains("start frame")) << window.message().toStdString();
  EXPECT_FALSE(window.compare_runs(1, 1));
}

TEST(MainWindowRun, TheComparisonIsSavedAndReopenedWithTheSession) {
  const fs::path dir = tiny().dir / "what-if-session";
  fs::create_directories(dir);
  const QString session = QString::fromStdString((dir / "w.json").string());
  std::vector<std::vector<uint8_t>> rgb;
  {
    studio::MainWindow window;
    open_tiny(window, 2);
    run_with(window, "pick up the red cube");
    run_with(window, "push the cube to the left");
    run_with(window, "open the drawer");
    ASSERT_TRUE(window.compare_runs(2, 0)) << window.message().toStdString();
    ASSERT_TRUE(window.save_session(session)) << window.message().toStdString();
    for (const auto& run : window.runs()) rgb.push_back(run.rollout->views[0].rgb);

    // Exports of the comparison (File ▸ Export Comparison): the three-column video and frame, metrics.
    QSignalSpy exported(&window, &studio::MainWindow::export_finished);
    const QString video = QString::fromStdString((dir / "ab.mp4").string());
    window.export_what_if(geometry::WhatIfExportKind::Video, video);
    ASSERT_TRUE(exported.wait(30000));
    EXPECT_TRUE(exported.last().at(0).toBool()) << exported.last().at(1).toString().toStdString();
    EXPECT_GT(fs::file_size(video.toStdString()), 100u);
    const QString png = QString::fromStdString((dir / "ab.png").string());
    window.export_what_if(geometry::WhatIfExportKind::Frame, png, 1);
    ASSERT_TRUE(exported.wait(30000));
    const auto& ep = *window.episode();
    EXPECT_EQ(QImage(png).width(), geometry::what_if_frame(ep, *window.runs()[2].rollout, *window.runs()[0].rollout, 1).width);
    const QString json = QString::fromStdString((dir / "ab.json").string());
    window.export_what_if(geometry::WhatIfExportKind::MetricsJson, json);
    ASSERT_TRUE(exported.wait(30000));
    QFile mf(json);
    ASSERT_TRUE(mf.open(QIODevice::ReadOnly));
    EXPECT_TRUE(QJsonDocument::fromJson(mf.readAll()).object().contains("a_minus_b"));
  }
  // On disk: every run's rollout beside the session, and the pair.
  const session::Session saved = session::load_session(session.toStdString());
  ASSERT_EQ(saved.runs.size(), 3u);
  EXPECT_EQ(saved.compare_a, 2);
  EXPECT_EQ(saved.compare_b, 0);
  EXPECT_EQ(saved.runs[1].instruction, "push the cube to the left");
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(fs::exists(fs::path(saved.runs[i].rollout_dir) / "manifest.json")) << i;

  studio::MainWindow reopened;
  reopened.show();
  QSignalSpy restored(&reopened, &studio::MainWindow::session_restored);
  ASSERT_TRUE(reopened.open_session(session)) << reopened.message().toStdString();
  ASSERT_TRUE(restored.wait(30000)) << reopened.message().toStdString();
  ASSERT_EQ(reopened.runs().size(), 3u);
  EXPECT_EQ(reopened.run_history()->count(), 3);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(reopened.runs()[i].rollout->views[0].rgb, rgb[i]) << i;
  EXPECT_EQ(reopened.runs()[0].settings.request.instruction, "pick up the red cube");
  EXPECT_TRUE(reopened.runs()[2].label.contains("open the drawer"));
  ASSERT_TRUE(reopened.comparing()) << reopened.message().toStdString();
  EXPECT_EQ(reopened.compared_a(), 2);
  EXPECT_EQ(reopened.compared_b(), 0);
  EXPECT_EQ(reopened.camera_grid()->compared()->views[0].rgb, rgb[0]);
  EXPECT_TRUE(reopened.action_plot()->has_compared());
  EXPECT_EQ(reopened.metrics_table()->item(2, 0)->text(), "A − B");

  // A session whose pair names a run it does not have is refused by name.
  const fs::path bad = dir / "bad.json";
  {
    std::ifstream in(session.toStdString());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find("\"a\": 2");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 6, "\"a\": 7");
    std::ofstream(bad) << text;
  }
  try {
    session::load_session(bad.string());
    ADD_FAILURE() << "accepted a pair outside the runs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("compare.a"), std::string::npos) << e.what();
  }
}

// The studio and the CLI compare the same way (engine/geometry/Comparison.h): on a scene whose cameras
// are not at the model's image size, the Metrics panel's numbers are `xwam eval`'s and `xwam compare`'s.
TEST(MainWindowRun, GuiMetricsEqualTheClisForASceneAtAnotherSizeThanTheModels) {
  ASSERT_TRUE(tiny().ok);
  const fs::path dir = tiny().dir / "other-size";
  fs::create_directories(dir);
  const fs::path scene = dir / "scene.h5";
  ASSERT_EQ(std::system((kXwam + " generate --episodes 1 --seed 9 --frames 24 --width 48 --height 40 --out " +
                         scene.string() + " > /dev/null 2>&1").c_str()), 0);
  studio::MainWindow window;
  window.show();
  QSignalSpy shown(&window, &studio::MainWindow::episode_shown);
  window.open_scene(QString::fromStdString(scene.string()));
  ASSERT_TRUE(shown.wait(20000)) << window.message().toStdString();
  ASSERT_EQ(window.episode()->cameras[0].width, 48);
  window.run_panel()->set_checkpoint(QString::fromStdString(tiny().run.string()));
  window.run_panel()->set_steps(2, 4);
  ASSERT_TRUE(window.run());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  ASSERT_TRUE(window.report()) << window.message().toStdString();
  ASSERT_NE(window.rollout()->views[0].width, 48);  // the model predicts at its own size
  const QString session = QString::fromStdString((dir / "s.json").string());
  ASSERT_TRUE(window.save_session(session)) << window.message().toStdString();
  const std::string rollout = session::rollout_dir_for(session.toStdString());

  auto cli_json = [&](const std::string& command, const std::string& out) {
    EXPECT_EQ(std::system((kXwam + " " + command + " --rollout " + rollout + " --scene " + scene.string() + " --json > " +
                           out + " 2>/dev/null").c_str()), 0) << command;
    QFile file(QString::fromStdString(out));
    EXPECT_TRUE(file.open(QIODevice::ReadOnly));
    return QJsonDocument::fromJson(file.readAll()).object();
  };
  const auto& gui = window.report()->prediction.mean;
  const std::pair<const char*, double> metrics[] = {{"rgb_psnr", gui.rgb_psnr},     {"rgb_ssim", gui.rgb_ssim},
                                                    {"depth_absrel", gui.depth_absrel}, {"chamfer", gui.chamfer},
                                                    {"action_mse", gui.action_mse}, {"state_mse", gui.state_mse}};
  for (const char* command : {"eval", "compare"}) {
    const QJsonObject cli = cli_json(command, (dir / (std::string(command) + ".json")).string());
    for (const auto& [key, value] : metrics) {
      ASSERT_TRUE(cli.value(key).isDouble()) << command << " " << key;
      EXPECT_DOUBLE_EQ(cli.value(key).toDouble(), value) << command << " " << key;
    }
  }
}

TEST(MainWindowRun, FastWamPredictsActionsOnly) {
  studio::MainWindow window;
  open_tiny(window, 2);
  window.run_panel()->set_mode("fastwam");
  ASSERT_TRUE(window.run());
  ASSERT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();
  EXPECT_TRUE(window.message().isEmpty()) << window.message().toStdString();
  ASSERT_TRUE(window.rollout());
  EXPECT_TRUE(window.rollout()->views.empty());
  EXPECT_FALSE(window.rollout()->actions.empty());
  EXPECT_TRUE(window.action_plot()->has_predicted());
  EXPECT_EQ(window.metrics_table()->frame_rows(), 0);
}

TEST(StudioProgram, ScriptedRunWritesAScreenshotAndExitsWithTheRunsStatus) {
  ASSERT_TRUE(tiny().ok);
  const std::string studio = XWAM_BINARY_DIR "/bin/xwam-studio";
  const fs::path png = tiny().dir / "shot.png";
  const std::string env = "QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=" + (tiny().dir / "config").string() + " ";
  const std::string ok = env + studio + " --scene " + tiny().scene.string() + " --checkpoint " + tiny().run.string() +
                         " --instruction 'stack the cubes' --run --screenshot " + png.string() +
                         " --quit-after-run > /dev/null 2>&1";
  EXPECT_EQ(std::system(ok.c_str()), 0);
  const QImage shot(QString::fromStdString(png.string()));
  EXPECT_GT(shot.width(), 800);
  // A checkpoint that is not there: the window says so, the screenshot still comes, the exit code is 1.
  fs::remove(png);
  const std::string bad = env + studio + " --scene " + tiny().scene.string() +
                          " --checkpoint /nonexistent --run --screenshot " + png.string() + " --quit-after-run > /dev/null 2>&1";
  const int rc = std::system(bad.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 1) << rc;
  EXPECT_TRUE(fs::exists(png));
}

// ---- fine-tuning through the dialog -----------------------------------------------------------

TEST(FineTune, TrainsInASeparateProcessAndTheCheckpointBecomesSelectable) {
  ASSERT_TRUE(tiny().ok);
  studio::MainWindow window;
  // Resolved, as `xwam train --write-script` names itself in the scripts compared below.
  window.set_xwam_program(QString::fromStdString(fs::canonical(kXwam).string()));
  open_tiny(window);
  widgets::FineTuneDialog* dialog = window.fine_tune_dialog();
  dialog->show();
  dialog->set_episode_files({QString::fromStdString(tiny().scene.string())});
  dialog->set_init_checkpoint(QString::fromStdString(tiny().run.string()));
  dialog->set_config_file(QString::fromStdString(kTinyConfig));
  dialog->set_steps(4);
  dialog->set_learning_rate(2e-4);
  const QString run_dir = QString::fromStdString((tiny().dir / "finetune").string());
  dialog->set_run_dir(run_dir);

  QSignalSpy checkpoints(dialog, &widgets::FineTuneDialog::checkpoint_ready);
  QSignalSpy progress(dialog, &widgets::FineTuneDialog::progress);
  QSignalSpy finished(dialog, &widgets::FineTuneDialog::job_finished);
  ASSERT_TRUE(dialog->start()) << dialog->status_text().toStdString();
  EXPECT_TRUE(dialog->running());
  ASSERT_TRUE(finished.wait(60000)) << dialog->log_text().toStdString();
  EXPECT_EQ(finished.at(0).at(0).toInt(), 0) << dialog->log_text().toStdString();
  EXPECT_FALSE(finished.at(0).at(1).toBool());
  EXPECT_EQ(dialog->last_step(), 4);
  EXPECT_EQ(progress.count(), 4);
  EXPECT_GE(dialog->loss_plot()->points(), 4);
  EXPECT_TRUE(dialog->log_text().contains("[train]"));
  // For a person to look at: XWAM_TEST_SHOTS=DIR saves the dialog as it looks now.
  if (const char* shots = std::getenv("XWAM_TEST_SHOTS")) dialog->grab().save(QString(shots) + "/finetune-dialog.png");
  // The effective config documents the dialog's hyper-parameters.
  QFile cfg(run_dir + "/studio-config.json");
  ASSERT_TRUE(cfg.open(QIODevice::ReadOnly));
  EXPECT_DOUBLE_EQ(QJsonDocument::fromJson(cfg.readAll()).object().value("train").toObject().value("lr").toDouble(), 2e-4);

  // Every checkpoint the job wrote is in the Run panel's picker and can be run.
  ASSERT_GE(checkpoints.count(), 1);
  const QString newest = checkpoints.last().at(0).toString();
  EXPECT_TRUE(window.run_panel()->checkpoints().contains(newest)) << newest.toStdString();
  EXPECT_TRUE(window.run_panel()->checkpoint_labels().contains("finetune · step 4"))
      << window.run_panel()->checkpoint_labels().join(", ").toStdString();
  window.run_panel()->set_checkpoint(newest);
  ASSERT_TRUE(window.run());
  EXPECT_EQ(wait_run(window), static_cast<int>(Status::Done)) << window.message().toStdString();

  // The same job as a command line and as a Slurm script.
  QString error;
  const QString shell = dialog->shell_script(&error);
  EXPECT_TRUE(error.isEmpty());
  EXPECT_TRUE(shell.contains(" train --config \"$RUNDIR/studio-config.json\" --data ")) << shell.toStdString();
  const QString slurm = dialog->slurm_script(&error);
  for (const char* key : {"#SBATCH", "srun", "MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK=$SLURM_PROCID"})
    EXPECT_TRUE(slurm.contains(key)) << key;

  // The CLI twin writes the very same scripts for the same job.
  const jobs::TrainJobSpec job = dialog->job_spec();
  std::string options = " --config " + job.config_file + " --data";
  for (const auto& f : job.episode_files) options += " " + f;
  options += " --out " + job.run_dir + " --steps " + std::to_string(*job.steps) + " --lr " +
             QString::number(*job.lr, 'g', 17).toStdString() + " --batch-size " + std::to_string(*job.batch_size);
  if (!job.init_checkpoint.empty()) options += " --init " + job.init_checkpoint;
  if (!job.wan_dir.empty()) options += " --wan-dir " + job.wan_dir;
  for (const auto& [kind, text] : {std::pair<std::string, QString>{"sh", shell}, {"slurm", slurm}}) {
    const fs::path out = tiny().dir / ("finetune." + kind);
    const std::string cmd = kXwam + " train --write-script " + kind + " " + out.string() + options + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out);
    const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(written, text.toStdString()) << kind;
  }
}

TEST(FineTune, UnusableInputsAreNamedInTheStatusLine) {
  ASSERT_TRUE(tiny().ok);
  const fs::path run = tiny().dir / "never-made";
  widgets::FineTuneDialog dialog("/nonexistent/xwam");
  dialog.set_run_dir(QString::fromStdString(run.string()));
  EXPECT_FALSE(dialog.start());
  EXPECT_TRUE(dialog.status_text().contains("choose a training config")) << dialog.status_text().toStdString();
  dialog.set_config_file(QString::fromStdString(kTinyConfig));
  dialog.set_episode_files({QString::fromStdString(tiny().scene.string())});
  EXPECT_FALSE(dialog.start());
  EXPECT_TRUE(dialog.status_text().contains("/nonexistent/xwam: no executable xwam program")) << dialog.status_text().toStdString();
  EXPECT_FALSE(dialog.running());
  EXPECT_FALSE(fs::exists(run));
}

TEST(FineTune, CancelStopsTheTrainingProcess) {
  ASSERT_TRUE(tiny().ok);
  widgets::FineTuneDialog dialog(QString::fromStdString(kXwam));
  dialog.show();
  dialog.set_episode_files({QString::fromStdString(tiny().scene.string())});
  dialog.set_config_file(QString::fromStdString(kTinyConfig));
  dialog.set_steps(100000);
  dialog.set_run_dir(QString::fromStdString((tiny().dir / "cancelled").string()));
  QSignalSpy progress(&dialog, &widgets::FineTuneDialog::progress);
  QSignalSpy finished(&dialog, &widgets::FineTuneDialog::job_finished);
  ASSERT_TRUE(dialog.start()) << dialog.status_text().toStdString();
  ASSERT_TRUE(progress.wait(60000)) << dialog.log_text().toStdString();
  QElapsedTimer clock;
  clock.start();
  dialog.cancel();
  ASSERT_TRUE(finished.count() > 0 || finished.wait(30000));
  std::printf("[ measure  ] training stopped %lld ms after cancel, at step %d\n", static_cast<long long>(clock.elapsed()),
              dialog.last_step());
  EXPECT_TRUE(finished.at(0).at(1).toBool());
  EXPECT_FALSE(dialog.running());
  const int stopped_at = dialog.last_step();
  EXPECT_LT(stopped_at, 100000);

  // Resume continues from the checkpoint the job saved when it stopped.
  dialog.set_resume(true);
  QSignalSpy resumed(&dialog, &widgets::FineTuneDialog::progress);
  ASSERT_TRUE(dialog.start()) << dialog.status_text().toStdString();
  ASSERT_TRUE(resumed.wait(60000)) << dialog.log_text().toStdString();
  EXPECT_GT(resumed.at(0).at(0).toInt(), stopped_at) << dialog.log_text().toStdString();
  dialog.cancel();
  QSignalSpy done(&dialog, &widgets::FineTuneDialog::job_finished);
  ASSERT_TRUE(!dialog.running() || done.wait(30000));
}
