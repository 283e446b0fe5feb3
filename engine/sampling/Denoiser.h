// Runs a DenoisePlan: calls the network once per planned call, steps each modality's solver, hands the
// action chunk out the moment it is final, and keeps denoising video (and depth) to full quality.
//
//   auto plan = DenoisePlan::make({Mode::XWam, 10, 50});
//   DenoiseCallbacks cb;
//   cb.on_action_ready = [](const Tokens& t, double ms) { dispatch(t.action); };
//   DenoiseResult r = denoise(network, plan, start_noise(shapes, seed), SolverKind::UniPC, 1.0, cb, &cancel);
#pragma once
#include <torch/torch.h>

#include <functional>

#include "engine/core/Progress.h"
#include "engine/sampling/DenoisePlan.h"
#include "engine/sampling/FlowSolver.h"

namespace xwam::sampling {

// The generated modalities in the network's normalized spaces. Any of them may be undefined when the
// mode has none (video in fastwam). Shapes are the network's business; the denoiser only steps them.
struct Tokens {
  torch::Tensor video;   // future video latents (RGB), e.g. [B, V, C, F, h, w]
  torch::Tensor state;   // future proprio states, e.g. [B, H, 16]
  torch::Tensor action;  // action chunk, e.g. [B, K, 14]
};

struct NetworkCall {
  const Tokens& x;
  double video_t, state_t, action_t;  // 0..1000, 0 = clean
  bool depth;                         // the depth branch's output is wanted from this call
  bool future_video;                  // false: the network must not see future video (fastwam)
  bool unconditional;                 // classifier-free guidance's text-free pass
};

struct Prediction {
  torch::Tensor video, state, action;  // velocities ε − x_0, same shapes as the inputs
  torch::Tensor depth;                 // clean depth latents (regressed, not diffused); when call.depth
};

// What the denoiser calls; the model adapter binds the conditions (first frame, s_0, instruction).
class DenoisingNetwork {
 public:
  virtual ~DenoisingNetwork() = default;
  virtual Prediction predict(const NetworkCall& call) = 0;
};

struct DenoiseCallbacks {
  // The action chunk (and the states denoised with it) is final; latency since the start.
  std::function<void(const Tokens& tokens, double latency_ms)> on_action_ready;
  // A video step finished (1-based `step` of `steps`).
  std::function<void(int step, int steps, double elapsed_ms)> on_video_step;
  // Every network call, as it was made (for logging and for checking the schedule).
  std::function<void(const PlannedCall& call, double call_ms)> on_call;
};

struct DenoiseResult {
  Tokens clean;
  torch::Tensor depth;     // undefined when the plan has no depth call
  double action_ms = -1;   // time to the action chunk (-1 when actions were given)
  double total_ms = 0;
  int network_calls = 0;
};

// Gaussian noise from a seed: the same seed gives the same tensor on every machine (CPU generator),
// moved to `options`' device afterwards. `stream` separates modalities drawn from one seed.
torch::Tensor seeded_noise(at::IntArrayRef shape, uint64_t seed, int stream, const torch::TensorOptions& options);

// `start` holds pure noise for generated modalities and the given clean action for
// action-conditioned mode. guidance_scale 1 = one pass per call; otherwise two passes mixed as
// v_uncond + s·(v_cond − v_uncond). Throws xwam::Cancelled between calls when `cancel` is set.
DenoiseResult denoise(DenoisingNetwork& network, const DenoisePlan& plan, Tokens start, SolverKind solver,
                      double guidance_scale, const DenoiseCallbacks& callbacks, const CancelToken* cancel);

}  // namespace xwam::sampling
