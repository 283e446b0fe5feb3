// The GUI's runner of the rollout engine: loads a checkpoint and runs one rollout on a worker thread,
// forwarding the engine's events to the GUI thread as signals, then compares the prediction with the
// recording (engine/geometry/Comparison.h) and saves it with rollout.json (as `xwam rollout` does).
// It hands the engine's own types around (engine/pipeline/api/RolloutTypes.h, no LibTorch); the engine
// façade (Engine.h) is used in the .cpp only.
//
//   RolloutRunner runner;
//   connect(&runner, &RolloutRunner::action_ready, plot, ...);   // arrives before the video
//   connect(&runner, &RolloutRunner::frames_decoded, grid, ...); // then frame by decoded frame
//   runner.start(episode, settings);                               // returns at once
//   runner.cancel();                                               // finished() reports Cancelled
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

#include "engine/data/Episode.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/Rollout.h"
#include "engine/pipeline/api/RolloutTypes.h"

namespace xwam::studio {

// What to run, in the engine's terms, plus what to do with the result.
struct RunSettings {
  std::string checkpoint;  // checkpoint directory/file, or a training run directory (its latest)
  std::string wan_dir;     // Wan2.2 folder with the umT5 tokenizer a released run lacks ("" = none)
  pipeline::Device device;
  pipeline::DType dtype = pipeline::DType::Default;
  pipeline::RolloutRequest request;
  std::string scene;       // the episode file and index, recorded in rollout.json
  int episode = 0;
  std::string output_dir;  // non-empty: the rollout directory (with rollout.json) is written there
  bool evaluate = true;    // compare against the recorded episode afterwards
};

struct RunOutcome {
  enum class Status { Done, Cancelled, Failed };
  Status status = Status::Failed;
  QString error;                    // Failed: the engine's message, shown as is
  QString checkpoint_origin;        // what was loaded
  std::shared_ptr<const geometry::Rollout> rollout;  // Done
  pipeline::ActionChunk chunk;
  pipeline::RolloutTimings timings;
  geometry::Comparison comparison;  // Done and evaluated: metrics and 4D clouds, or why not
  QString save_error;               // writing output_dir failed (the rollout is still shown)
  double evaluate_ms = 0;
};

// One run at a time. All signals are emitted on the thread that owns the runner (the GUI thread).
class RolloutRunner : public QObject {
  Q_OBJECT
 public:
  explicit RolloutRunner(QObject* parent = nullptr);
  ~RolloutRunner() override;  // cancels a running rollout and waits for the worker

  // Starts a run; false (and nothing emitted) when one is already running.
  bool start(std::shared_ptr<const data::Episode> episode, const RunSettings& settings);
  void cancel();
  bool busy() const;
  // Whether this build contains the rollout engine (xwam_pipeline).
  static bool available();
  // The devices a run can use: "cpu", then "cuda:N" for each GPU LibTorch sees.
  static QStringList devices();

 signals:
  // "load on DEVICE (DTYPE)", "encode", "denoise", "decode", "evaluate"
  void stage(const QString& name);
  void action_ready(const xwam::pipeline::ActionChunk& chunk);
  void video_step(int step, int steps, double elapsed_ms);
  // Each decoded latent frame, as soon as every view has it: the rollout so far (its first `decoded`
  // of `frames` predicted frames; actions and states complete).
  void frames_decoded(std::shared_ptr<const xwam::geometry::Rollout> partial, int decoded, int frames);
  void finished(const xwam::studio::RunOutcome& outcome);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::studio
