// The GUI's façade over the rollout engine: loads a checkpoint and runs one rollout on a worker
// thread, forwarding the engine's events to the GUI thread as signals. No LibTorch in this header
// (pimpl), so the window and the widgets compile without it.
//
//   RolloutRunner runner;
//   connect(&runner, &RolloutRunner::action_ready, plot, ...);   // arrives before the video
//   runner.start(episode, settings);                               // returns at once
//   runner.cancel();                                               // finished() reports Cancelled
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/geometry/CloudSequence.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/Rollout.h"

namespace xwam::studio {

// What to run. Mirrors pipeline::RolloutRequest plus the checkpoint and what to do with the result.
struct RunSettings {
  QString checkpoint;           // checkpoint directory/file, or a training run directory (its latest)
  QString wan_dir;              // Wan2.2 folder with the umT5 tokenizer a released run lacks ("" = none)
  QString device = "cpu";       // cpu | cuda:N (RolloutRunner::devices())
  QString dtype;                // bfloat16 | float16 | float32; "" = the device's default
  QString mode = "xwam";        // xwam | sync | fastwam | action-conditioned
  int steps_action = 10, steps_video = 50;
  quint64 seed = 0;
  QString instruction;          // empty: the episode's own
  int start_frame = 0;          // frame of the loaded episode used as the observation O_0
  std::vector<float> given_actions;  // action-conditioned: K × 14 un-normalized actions
  QString output_dir;           // non-empty: the rollout directory is written there
  bool evaluate = true;         // compare against the recorded episode afterwards
};

// The action chunk the moment it is final (un-normalized).
struct ActionChunkData {
  std::vector<float> actions;      // K × 14
  std::vector<float> states;       // H × 16
  std::vector<int> action_frames;  // episode step of each action
  std::vector<int> state_frames;   // episode frame of each state
  double latency_ms = 0;
};

struct RunOutcome {
  enum class Status { Done, Cancelled, Failed };
  Status status = Status::Failed;
  QString error;                    // Failed: the engine's message, shown as is
  QString checkpoint_origin;        // what was loaded
  std::shared_ptr<const geometry::Rollout> rollout;           // Done
  ActionChunkData chunk;
  std::shared_ptr<const geometry::EvaluationReport> report;   // Done and evaluated
  QString evaluation_error;         // evaluation failed (the rollout is still shown)
  QString save_error;               // writing output_dir failed (the rollout is still shown)
  // Fused 4D clouds for the 3D view: the prediction and the recording at the same frames, with
  // per-point errors of the prediction; null when the rollout has no depth or fusion failed.
  std::shared_ptr<const geometry::CloudSequence> predicted_cloud, recorded_cloud;
  QString cloud_error;
  double encode_ms = 0, action_ms = -1, video_ms = 0, decode_ms = 0, total_ms = 0, evaluate_ms = 0;
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
  // "load on DEVICE (DTYPE)", "encode", "denoise", "decode", "evaluate", "fuse"
  void stage(const QString& name);
  void action_ready(const xwam::studio::ActionChunkData& chunk);
  void video_step(int step, int steps, double elapsed_ms);
  void frame_decoded(int frame, int frames);
  void finished(const xwam::studio::RunOutcome& outcome);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::studio
