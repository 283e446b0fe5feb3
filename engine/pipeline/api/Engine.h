// The engine as the front ends see it: a loaded checkpoint that runs rollouts, with typed choices and
// no LibTorch in sight (a pimpl over Predictor), so the studio and the CLI compile against this header
// alone and hand the same request and result structs around without copying them field by field.
//
//   Engine engine = Engine::load({"assets/checkpoints/demo", "", device_from_name("cpu")});
//   RolloutRequest req;  req.mode = Mode::XWam;
//   RolloutResult r = engine.run(episode, req, events, &cancel);
//   save_rollout("out/r1", r, req, engine.provenance(episode, req), {});   // RolloutRecord.h
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/data/NormStats.h"
#include "engine/pipeline/api/RolloutRecord.h"
#include "engine/pipeline/api/RolloutTypes.h"

namespace xwam::pipeline {

// "cpu" | "cuda" | "cuda:N", checked against this machine; throws xwam::Error naming `option`.
Device device_from_name(const std::string& name, const std::string& option = "--device");
// The CPU, then each GPU LibTorch sees.
std::vector<Device> usable_devices();

// The CPU threads LibTorch's kernels use (the CLI's --threads; ≤ 0: one per core), split between
// LibTorch and OpenBLAS so that they do not oversubscribe the cores.
void set_compute_threads(int threads);
// The threads chosen there (LibTorch's count before any choice).
int compute_threads();

struct EngineOptions {
  std::string checkpoint;  // our checkpoint folder, a training run, or a released X-WAM run/.pt file
  std::string wan_dir;     // the Wan2.2-TI2V-5B folder (the umT5 tokenizer a released run lacks)
  Device device;
  DType dtype = DType::Default;
};

// What a caller that builds its own observation (the policy server) must feed the loaded checkpoint.
struct ModelInputs {
  int views = 0, width = 0, height = 0;  // camera views and the model's image size per view
  std::vector<std::string> cameras;      // the checkpoint's camera of each view (empty: not recorded)
  int num_actions = 0, future_frames = 0;
  data::NormStats stats;                 // the checkpoint's normalization statistics
};

class Engine {
 public:
  // Reads and loads the checkpoint. Throws xwam::Error naming the file (LibTorch's messages without
  // their C++ backtrace).
  static Engine load(const EngineOptions& options);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // Checks the request against the episode and the checkpoint before any compute; throws xwam::Error.
  void check(const data::Episode& episode, const RolloutRequest& request) const;
  // One rollout; events fire on the calling thread. Throws xwam::Cancelled when `cancel` is set.
  RolloutResult run(const data::Episode& episode, const RolloutRequest& request, const RolloutEvents& events = {},
                    const CancelToken* cancel = nullptr);

  const EngineOptions& options() const;
  const std::string& origin() const;  // what was loaded (the resolved checkpoint)
  DType dtype() const;                // the precision in use (never Default)
  ModelInputs inputs() const;
  // What rollout.json records of this engine, the episode and the request.
  RolloutProvenance provenance(const data::Episode& episode, const RolloutRequest& request) const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::pipeline
