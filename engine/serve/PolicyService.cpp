#include "engine/serve/PolicyService.h"

#include <chrono>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/serve/ViewPreprocess.h"

namespace xwam::serve {
namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

constexpr float kMinRange = 1e-6f;  // NormStats leaves a narrower range unscaled

// The raw value whose normalization is 0 (NormStats: 2(x − q01)/(q99 − q01) − 1, or x − q01 for a
// constant dim, quaternions unchanged): the released server zeroes the normalized right arm.
float normalized_zero(const data::NormStats& s, int d) {
  if (data::NormStats::state_dim_is_quaternion(d)) return 0.f;
  const float range = s.state_q99[d] - s.state_q01[d];
  return range > kMinRange ? s.state_q01[d] + 0.5f * range : s.state_q01[d];
}
}  // namespace

bool single_arm_statistics(const data::NormStats& s) {
  for (int d = data::kStatePerArm; d < data::kStatePerArm + 3; ++d) {
    const bool identity = s.state_q01[d] == -1.f && s.state_q99[d] == 1.f;
    const bool constant = std::abs(s.state_q99[d] - s.state_q01[d]) < kMinRange;
    if (!identity && !constant) return false;
  }
  return true;
}

PolicyService::PolicyService(pipeline::Engine& engine, ServiceOptions options)
    : engine_(engine), options_(options), inputs_(engine.inputs()), single_arm_(single_arm_statistics(inputs_.stats)) {
  if (options_.mode != pipeline::Mode::XWam && options_.mode != pipeline::Mode::FastWam)
    throw Error("option --mode: a policy server samples xwam or fastwam, not " + std::string(pipeline::mode_name(options_.mode)));
}

PolicyResult PolicyService::predict(const PolicyRequest& request) {
  ServedCall call;
  return predict(request, call);
}

PolicyResult PolicyService::predict(const PolicyRequest& req, ServedCall& call) {
  const auto& in = inputs_;
  if (req.views != in.views)
    throw Error("request", "key 'video'", std::to_string(req.views) + " views, the checkpoint takes " + std::to_string(in.views));

  // The observation as a one-frame episode at the model's image size.
  data::Episode ep;
  ep.name = "rank" + std::to_string(req.env_rank) + "_rollout" + std::to_string(req.rollout_id) + "_step" +
            std::to_string(req.step_id);
  ep.instruction = req.prompt;
  ep.num_frames = ep.total_frames = 1;
  const std::vector<float> views = preprocess_views(req.video, req.views, req.height, req.width, in.height, in.width);
  const size_t plane = static_cast<size_t>(in.height) * in.width * 3;
  for (int v = 0; v < in.views; ++v) {
    data::CameraInfo cam;
    cam.name = v < static_cast<int>(in.cameras.size()) ? in.cameras[v] : "view" + std::to_string(v);
    cam.width = in.width;
    cam.height = in.height;
    ep.cameras.push_back(cam);
    // 8 bits per channel, as episodes hold them (the released server holds bfloat16: the same order of error)
    std::vector<uint8_t> rgb(plane);
    for (size_t i = 0; i < plane; ++i)
      rgb[i] = static_cast<uint8_t>(std::lround(std::clamp((views[v * plane + i] + 1.f) * 127.5f, 0.f, 255.f)));
    ep.rgb.push_back(std::move(rgb));
  }
  ep.depth.resize(in.views);
  ep.states.assign(req.proprios.begin(), req.proprios.end());
  ep.actions.assign(data::kActionDim, 0.f);
  ep.state_mask.fill(1);
  ep.action_mask.fill(1);
  if (single_arm_) {
    for (int d = data::kStatePerArm; d < data::kStateDim; ++d) {
      ep.states[d] = normalized_zero(in.stats, d);
      ep.state_mask[d] = 0;
    }
    for (int d = data::kActionPerArm; d < data::kActionDim; ++d) ep.action_mask[d] = 0;
  }

  pipeline::RolloutRequest r;
  r.mode = options_.mode;
  r.steps_action = options_.steps_action;
  r.steps_video = options_.steps_video;
  r.guidance_scale = req.cfg > 0 ? req.cfg : 1.0;  // released: cfg > 0 turns guidance on
  r.seed = req.seed();
  r.action_only = true;
  const pipeline::RolloutResult rollout = engine_.run(ep, r);

  PolicyResult out;
  const auto& chunk = rollout.chunk;
  out.frames = static_cast<int>(chunk.states.size() / data::kStateDim);
  out.proprios.assign(chunk.states.begin(), chunk.states.end());
  out.actions = static_cast<int>(chunk.actions.size() / data::kActionDim);
  out.action_dim = single_arm_ ? data::kActionPerArm : data::kActionDim;
  for (int k = 0; k < out.actions; ++k)
    for (int d = 0; d < out.action_dim; ++d) out.chunk.push_back(chunk.actions[k * data::kActionDim + d]);
  if (single_arm_)
    for (int k = 0; k < out.actions; ++k) out.chunk[k * out.action_dim + 6] *= -1.0;  // as the released server (robocasa)

  call.seed = r.seed;
  call.action_ms = rollout.timings.encode_ms + std::max(0.0, rollout.timings.action_ms);
  if (on_prediction) on_prediction(req, ep, r, rollout);
  return out;
}

std::string PolicyService::answer(const std::string& bytes, const WorkItem& item) {
  const auto t0 = Clock::now();
  ServedCall call;
  call.item = item;
  try {
    call.request = decode_request(bytes, options_.limits);
    call.result = predict(call.request, call);
    std::string out = encode_result(call.result);
    call.total_ms = ms_since(t0);
    if (on_served) on_served(call);
    return out;
  } catch (const std::exception& e) {
    call.error = e.what();
  }
  call.total_ms = ms_since(t0);
  if (on_served) on_served(call);
  return encode_error(call.error);
}

}  // namespace xwam::serve
