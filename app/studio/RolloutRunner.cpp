#include "app/studio/RolloutRunner.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>
#include <optional>

#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/core/Progress.h"
#ifdef XWAM_STUDIO_ROLLOUTS
#include "engine/pipeline/api/Engine.h"
#endif

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
  // The loaded checkpoint, reused while the same one is asked for. Touched only by the worker.
  std::optional<pipeline::Engine> engine;
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
  for (const auto& device : pipeline::usable_devices()) names << QString::fromStdString(device.name());
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
      const pipeline::EngineOptions wanted{settings.checkpoint, settings.wan_dir, settings.device, settings.dtype};
      const auto& loaded = d.engine ? &d.engine->options() : nullptr;
      if (!loaded || loaded->checkpoint != wanted.checkpoint || loaded->wan_dir != wanted.wan_dir ||
          loaded->device != wanted.device || loaded->dtype != wanted.dtype) {
        const char* precision = pipeline::dtype_label(wanted.dtype);
        post([this, text = QString("load on %1 (%2)")
                                .arg(QString::fromStdString(wanted.device.name()), *precision ? precision : "default")] {
          emit stage(text);
        });
        d.engine.reset();
        d.engine.emplace(pipeline::Engine::load(wanted));
      }
      pipeline::Engine& engine = *d.engine;
      out.checkpoint_origin = QString::fromStdString(engine.origin());
      engine.check(*episode, settings.request);

      pipeline::RolloutEvents events;
      events.on_stage = [&](const std::string& name) {
        post([this, name = QString::fromStdString(name)] { emit stage(name); });
      };
      events.on_video_step = [&](int step, int steps, double ms) {
        post([this, step, steps, ms] { emit video_step(step, steps, ms); });
      };
      // The rollout so far, grown by each decoded latent frame; the GUI gets an immutable snapshot.
      geometry::Rollout partial;
      partial.scene = settings.scene;
      partial.episode = settings.episode;
      partial.episode_name = episode->name;
      partial.mode = pipeline::mode_name(settings.request.mode);
      partial.start_frame = settings.request.start_frame;
      pipeline::ActionChunk chunk;
      events.on_action_ready = [&](const pipeline::ActionChunk& ready) {
        chunk = ready;
        post([this, ready] { emit action_ready(ready); });
      };
      events.on_frames_decoded = [&](const pipeline::DecodedFrames& f) {
        if (partial.views.empty())
          for (const auto& v : f.views) {
            geometry::RolloutView view;
            view.camera = v.camera;
            view.width = v.width;
            view.height = v.height;
            partial.views.push_back(std::move(view));
          }
        for (size_t v = 0; v < f.views.size() && v < partial.views.size(); ++v) {
          partial.views[v].rgb.insert(partial.views[v].rgb.end(), f.views[v].rgb.begin(), f.views[v].rgb.end());
          partial.views[v].depth.insert(partial.views[v].depth.end(), f.views[v].depth.begin(), f.views[v].depth.end());
        }
        const int decoded = f.first + f.count;
        partial.frame_indices.insert(partial.frame_indices.end(), f.frame_indices.begin(), f.frame_indices.end());
        // The chunk's states and actions are final before decoding starts (none when it was not handed out).
        const size_t state_dim = chunk.state_frames.empty() ? 0 : chunk.states.size() / chunk.state_frames.size();
        if (state_dim && chunk.state_frames.size() >= static_cast<size_t>(decoded))
          partial.states.assign(chunk.states.begin(), chunk.states.begin() + static_cast<long>(decoded * state_dim));
        partial.action_frame_indices = chunk.action_frames;
        partial.actions = chunk.actions;
        auto snapshot = std::make_shared<const geometry::Rollout>(partial);
        post([this, snapshot, decoded, frames = f.frames] { emit frames_decoded(snapshot, decoded, frames); });
      };
      pipeline::RolloutResult result = engine.run(*episode, settings.request, events, cancel.get());
      result.rollout.scene = settings.scene;
      result.rollout.episode = settings.episode;
      out.chunk = result.chunk;
      out.timings = result.timings;
      if (!settings.output_dir.empty()) {
        // The same directory and rollout.json as `xwam rollout`; a failure still shows the rollout.
        try {
          pipeline::save_rollout(settings.output_dir, result, settings.request, engine.provenance(*episode, settings.request),
                                 {false, ""});
        } catch (const std::exception& e) {
          out.save_error = QString::fromStdString(e.what());
        }
      }
      auto rollout = std::make_shared<const geometry::Rollout>(std::move(result.rollout));
      out.rollout = rollout;
      out.status = RunOutcome::Status::Done;

      // Metrics and clouds against the recording, exactly as `xwam compare` computes them.
      if (settings.evaluate && !rollout->views.empty()) {
        post([this] { emit stage("evaluate"); });
        QElapsedTimer timer;
        timer.start();
        out.comparison = geometry::compare_rollout(*episode, *rollout);
        out.evaluate_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
      }
    } catch (const Cancelled&) {
      out = RunOutcome{};
      out.status = RunOutcome::Status::Cancelled;
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
