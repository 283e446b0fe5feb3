// The rollout façade's worker: checkpoint loading, Predictor::run and evaluation off the GUI thread.
// LibTorch before any Qt header: Qt's `slots` / `signals` macros would break LibTorch's headers.
#ifdef XWAM_STUDIO_ROLLOUTS
#include "engine/model/MemoryPlan.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/Rollout.h"
#endif

#include "app/studio/RolloutRunner.h"
#include "app/studio/RolloutComparison.h"

#include <QElapsedTimer>
#include <QThreadPool>
#include <QFuture>
#include <QtConcurrent/QtConcurrent>
#include <optional>

#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/core/Progress.h"

namespace xwam::studio {

struct RolloutRunner::Impl {
  // Its own thread, so a long rollout never holds up the shared pool (scene loading, fusion, export).
  QThreadPool pool;
  QFuture<void> future;
  // Set by start(), cleared on the GUI thread just before finished() is emitted, so a slot of
  // finished() can start the next run (the worker may still be returning at that moment).
  bool running = false;
  std::shared_ptr<CancelToken> cancel = std::make_shared<CancelToken>();  // a fresh one per run
#ifdef XWAM_STUDIO_ROLLOUTS
  // The loaded checkpoint, reused while the same path (and Wan2.2 folder) is asked for. Touched only
  // by the worker (one run at a time).
  std::optional<pipeline::Predictor> predictor;
  QString loaded_path, loaded_wan_dir;
#endif
};

RolloutRunner::RolloutRunner(QObject* parent) : QObject(parent), impl_(std::make_unique<Impl>()) {
  impl_->pool.setMaxThreadCount(1);
  impl_->pool.setExpiryTimeout(-1);  // keep the thread: LibTorch's per-thread state stays warm
}

RolloutRunner::~RolloutRunner() {
  impl_->cancel->cancel();
  impl_->future.waitForFinished();
}

bool RolloutRunner::busy() const { return impl_->running; }
void RolloutRunner::cancel() { impl_->cancel->cancel(); }

bool RolloutRunner::available() {
#ifdef XWAM_STUDIO_ROLLOUTS
  return true;
#else
  return false;
#endif
}

QStringList RolloutRunner::devices() {
  QStringList names{"cpu"};
#ifdef XWAM_STUDIO_ROLLOUTS
  names.clear();
  for (const auto& name : pipeline::available_devices()) names << QString::fromStdString(name);
#endif
  return names;
}

bool RolloutRunner::start(std::shared_ptr<const data::Episode> episode, const RunSettings& settings) {
  if (busy()) return false;
  impl_->future.waitForFinished();  // the previous worker has posted its result; let it return
  impl_->running = true;
  auto cancel = impl_->cancel = std::make_shared<CancelToken>();
  // Events are queued to this object's thread. The destructor waits for the worker, and events still
  // queued when the runner is destroyed are dropped with it (it is their context object).
  auto post = [this](auto fn) { QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection); };

  impl_->future = QtConcurrent::run(&impl_->pool, [this, post, cancel, episode, settings] {
    RunOutcome out;
#ifdef XWAM_STUDIO_ROLLOUTS
    Impl& d = *impl_;
    try {
      if (!episode) throw Error("no episode is open");
      const torch::Device device = pipeline::parse_device(settings.device.toStdString(), "device");
      const torch::ScalarType dtype = pipeline::parse_dtype(settings.dtype.toStdString(), device, "precision");
      if (!d.predictor || d.loaded_path != settings.checkpoint || d.loaded_wan_dir != settings.wan_dir ||
          d.predictor->device() != device || d.predictor->dtype() != dtype) {
        post([this, text = QString("load on %1 (%2)")
                                .arg(QString::fromStdString(device.str()), QString::fromStdString(model::dtype_name(dtype)))] {
          emit stage(text);
        });
        d.predictor.reset();
        d.predictor.emplace(pipeline::Predictor::load(settings.checkpoint.toStdString(), device,
                                                      settings.wan_dir.toStdString(), dtype));
        d.loaded_path = settings.checkpoint;
        d.loaded_wan_dir = settings.wan_dir;
      }
      pipeline::Predictor& predictor = *d.predictor;
      out.checkpoint_origin = QString::fromStdString(predictor.origin());

      pipeline::RolloutRequest request;
      request.mode = settings.mode.toStdString();
      request.steps_action = settings.steps_action;
      request.steps_video = settings.steps_video;
      request.seed = settings.seed;
      request.instruction = settings.instruction.toStdString();
      request.start_frame = settings.start_frame;
      request.given_actions = settings.given_actions;
      predictor.check(*episode, request);

      pipeline::RolloutEvents events;
      events.on_stage = [&](const std::string& name) {
        post([this, name = QString::fromStdString(name)] { emit stage(name); });
      };
      events.on_action_ready = [&](const pipeline::ActionChunk& a) {
        ActionChunkData chunk{a.actions, a.states, a.action_frames, a.state_frames, a.latency_ms};
        post([this, chunk] { emit action_ready(chunk); });
      };
      events.on_video_step = [&](int step, int steps, double ms) {
        post([this, step, steps, ms] { emit video_step(step, steps, ms); });
      };
      events.on_frame_decoded = [&](int frame, int frames) {
        post([this, frame, frames] { emit frame_decoded(frame, frames); });
      };
      pipeline::RolloutResult result = predictor.run(*episode, request, events, cancel.get());

      const pipeline::ActionChunk& a = result.chunk;
      out.chunk = ActionChunkData{a.actions, a.states, a.action_frames, a.state_frames, a.latency_ms};
      out.encode_ms = result.timings.encode_ms;
      out.action_ms = result.timings.action_ms;
      out.video_ms = result.timings.video_ms;
      out.decode_ms = result.timings.decode_ms;
      out.total_ms = result.timings.total_ms;
      if (!settings.output_dir.isEmpty()) {
        // The directory first: a rollout without views (Fast-WAM) writes only CSVs and the manifest.
        try {
          OutputDir target(settings.output_dir.toStdString(), "rollout", {false, ""});
          geometry::write_rollout(target.path(), result.rollout);
          target.commit();
        } catch (const std::exception& e) {
          out.save_error = QString::fromStdString(e.what());
        }
      }
      auto rollout = std::make_shared<const geometry::Rollout>(std::move(result.rollout));
      out.rollout = rollout;
      out.status = RunOutcome::Status::Done;

      // Metrics against the recorded episode; a failure here still leaves the rollout to look at.
      if (settings.evaluate && !rollout->views.empty()) {
        post([this] { emit stage("evaluate"); });
        QElapsedTimer timer;
        timer.start();
        try {
          out.report = std::make_shared<const geometry::EvaluationReport>(geometry::evaluate_rollout(episode_at_rollout_size(*episode, *rollout), *rollout));
        } catch (const std::exception& e) {
          out.evaluation_error = QString::fromStdString(e.what());
        }
        out.evaluate_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;

        // The 4D clouds for the 3D view: predicted and recorded at the predicted frames.
        post([this] { emit stage("fuse"); });
        try {
          const RolloutClouds clouds = fuse_rollout_clouds(*episode, *rollout);
          out.predicted_cloud = clouds.predicted;
          out.recorded_cloud = clouds.recorded;
        } catch (const std::exception& e) {
          out.cloud_error = QString::fromStdString(e.what());
        }
      }
    } catch (const Cancelled&) {
      out = RunOutcome{};
      out.status = RunOutcome::Status::Cancelled;
    } catch (const c10::Error& e) {
      // LibTorch's what() appends a C++ backtrace; the window shows the message alone.
      out = RunOutcome{};
      out.status = RunOutcome::Status::Failed;
      out.error = QString::fromStdString(e.what_without_backtrace());
    } catch (const std::exception& e) {
      out = RunOutcome{};
      out.status = RunOutcome::Status::Failed;
      out.error = QString::fromStdString(e.what());
    }
#else
    (void)episode;
    (void)settings;
    (void)cancel;
    out.status = RunOutcome::Status::Failed;
    out.error = tr("This build of X-WAM Studio has no rollout engine (configure with the 'pipeline' engine part).");
#endif
    post([this, out] {
      impl_->running = false;
      emit finished(out);
    });
  });
  return true;
}

}  // namespace xwam::studio
