#include "engine/sampling/Denoiser.h"

#include <chrono>

#include "engine/core/Error.h"

namespace xwam::sampling {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

torch::Tensor guided(const torch::Tensor& cond, const torch::Tensor& uncond, double scale) {
  if (!cond.defined()) return cond;
  return uncond + scale * (cond - uncond);
}

}  // namespace

torch::Tensor seeded_noise(at::IntArrayRef shape, uint64_t seed, int stream, const torch::TensorOptions& options) {
  // Mix the stream into the seed so modalities drawn from one user seed are independent.
  auto gen = at::detail::createCPUGenerator(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(stream));
  return at::randn(shape, gen, torch::TensorOptions().dtype(torch::kFloat32)).to(options);
}

DenoiseResult denoise(DenoisingNetwork& network, const DenoisePlan& plan, Tokens x, SolverKind solver_kind,
                      double guidance_scale, const DenoiseCallbacks& callbacks, const CancelToken* cancel) {
  const auto& o = plan.options;
  const bool sync = o.mode == Mode::Sync;
  if (plan.future_video && !x.video.defined()) throw Error("this mode generates video but no video noise was given");
  if (o.mode == Mode::ActionConditioned && !x.action.defined())
    throw Error("action-conditioned mode needs the action chunk to condition on");

  const int action_steps = sync ? o.steps_video : o.steps_action;
  const bool state_with_action = o.state_schedule == StateSchedule::WithAction && o.mode != Mode::ActionConditioned;
  auto video_solver = make_solver(solver_kind, FlowSchedule::make(o.steps_video, o.shift));
  auto action_solver = make_solver(solver_kind, FlowSchedule::make(action_steps, o.shift));
  auto state_solver = make_solver(solver_kind, FlowSchedule::make(state_with_action ? action_steps : o.steps_video, o.shift));

  DenoiseResult result;
  const auto t0 = Clock::now();
  int video_steps_done = 0;
  for (const PlannedCall& call : plan.calls) {
    throw_if_cancelled(cancel);
    const auto call_start = Clock::now();
    NetworkCall request{x, call.video_t, call.state_t, call.action_t, call.depth, plan.future_video, false};
    Prediction p = network.predict(request);
    if (guidance_scale != 1.0) {
      NetworkCall free_request = request;
      free_request.unconditional = true;
      Prediction u = network.predict(free_request);
      p.video = guided(p.video, u.video, guidance_scale);
      p.state = guided(p.state, u.state, guidance_scale);
      p.action = guided(p.action, u.action, guidance_scale);
    }
    ++result.network_calls;

    if (call.action_step) x.action = action_solver->step(p.action, x.action);
    if (call.state_step && x.state.defined()) x.state = state_solver->step(p.state, x.state);
    if (call.video_step) x.video = video_solver->step(p.video, x.video);
    if (call.depth) result.depth = p.depth;
    if (callbacks.on_call) callbacks.on_call(call, ms_since(call_start));

    if (call.action_final_after) {
      result.action_ms = ms_since(t0);
      if (callbacks.on_action_ready) callbacks.on_action_ready(x, result.action_ms);
    }
    if (call.video_step && callbacks.on_video_step) callbacks.on_video_step(++video_steps_done, o.steps_video, ms_since(t0));
  }
  result.clean = x;
  result.total_ms = ms_since(t0);
  return result;
}

}  // namespace xwam::sampling
