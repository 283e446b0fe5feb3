#include "engine/pipeline/Rollout.h"

#include <chrono>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/Clip.h"
#include "engine/model/MemoryPlan.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/TextContextCache.h"
#include "engine/sampling/DenoisePlan.h"
#include "engine/sampling/XWamNetwork.h"

namespace xwam::pipeline {
namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

sampling::Mode sampling_mode(Mode mode) {
  switch (mode) {
    case Mode::XWam: return sampling::Mode::XWam;
    case Mode::Sync: return sampling::Mode::Sync;
    case Mode::FastWam: return sampling::Mode::FastWam;
    case Mode::ActionConditioned: return sampling::Mode::ActionConditioned;
  }
  return sampling::Mode::XWam;
}
}  // namespace

// LibTorch errors (a tensor op that fails, a device out of memory) name the checkpoint and leave
// their C++ backtrace behind.
Predictor Predictor::load(const std::string& checkpoint, torch::Device device, const std::string& wan_dir,
                          std::optional<torch::ScalarType> dtype) try {
  model::CheckpointData ckpt = model::read_checkpoint(checkpoint, wan_dir);
  CheckpointMeta meta = CheckpointMeta::from_json(ckpt.extra_json, ckpt.origin);
  model::XWamNetworks nets = model::load_networks(ckpt, checkpoint, {device, dtype.value_or(default_dtype(device))});
  return Predictor(std::move(nets), ckpt.config, std::move(meta), device, ckpt.origin);
} catch (const c10::Error& e) {
  throw Error(checkpoint, std::string("cannot load the networks: ") + e.what_without_backtrace());
}

Predictor::Predictor(model::XWamNetworks networks, model::XWamConfig config, CheckpointMeta meta, torch::Device device,
                     std::string origin)
    : nets_(std::move(networks)), config_(std::move(config)), meta_(std::move(meta)), device_(device),
      origin_(std::move(origin)) {
  nets_.model->to(device_);
  nets_.vae->to(device_);
  // umT5-xxl next to a GPU stays on the host (model::Placement); its contexts move over.
  if (!model::text_encoder_on_host(config_, device_)) nets_.text->to(device_);
  nets_.model->eval();
  nets_.vae->eval();
  nets_.text->eval();
}

std::vector<std::string> Predictor::cameras_for(const data::Episode& ep) const {
  if (!meta_.cameras.empty()) return meta_.cameras;
  std::vector<std::string> names;
  for (int v = 0; v < config_.views && v < static_cast<int>(ep.cameras.size()); ++v) names.push_back(ep.cameras[v].name);
  return names;
}

torch::ScalarType Predictor::dtype() const { return nets_.model->patch_embedding->weight.scalar_type(); }

const torch::Tensor& Predictor::text_context(const std::string& instruction) {
  auto it = text_contexts_.find(instruction);
  if (it != text_contexts_.end()) return it->second;
  // umT5-xxl contexts also live on disk next to the checkpoint (seconds a call); the builtin
  // encoder is cheaper than reading a file.
  torch::Tensor context;
  const bool on_disk = config_.text.kind == "umt5-xxl";
  const TextContextCache disk(origin_, config_);
  if (auto stored = on_disk ? disk.load(instruction) : std::nullopt) {
    context = *stored;
  } else {
    torch::NoGradGuard no_grad;
    context = nets_.text->encode({instruction}).to(torch::kFloat32);
    if (on_disk) disk.store(instruction, context);
  }
  return text_contexts_.emplace(instruction, context.to(device_)).first->second;
}

void Predictor::check(const data::Episode& ep, const RolloutRequest& r) const {
  const std::string where = "episode " + ep.name;
  const sampling::Mode mode = sampling_mode(r.mode);
  sampling::DenoisePlan::make({mode, r.steps_action, r.steps_video});  // impossible step counts
  const auto cams = cameras_for(ep);
  if (static_cast<int>(cams.size()) != config_.views)
    throw Error(origin_, where, "the checkpoint needs " + std::to_string(config_.views) + " camera views, the episode has " +
                                    std::to_string(ep.cameras.size()));
  for (const auto& name : cams) {
    const int c = ep.camera_index(name);
    if (c < 0) throw Error(origin_, where, "camera '" + name + "' that the checkpoint was trained on is missing");
    if (ep.rgb.size() <= static_cast<size_t>(c) || ep.rgb[c].empty())
      throw Error(origin_, where, "camera '" + name + "' has no RGB frames loaded");
  }
  if (r.start_frame < 0 || r.start_frame >= ep.num_frames)
    throw Error(origin_, where, "start frame " + std::to_string(r.start_frame) + " outside 0.." + std::to_string(ep.num_frames - 1));
  if (mode == sampling::Mode::ActionConditioned &&
      r.given_actions.size() != static_cast<size_t>(config_.num_actions) * config_.action_dim)
    throw Error(origin_, where, "action-conditioned mode needs " + std::to_string(config_.num_actions) + " × " +
                                    std::to_string(config_.action_dim) + " actions, got " + std::to_string(r.given_actions.size()) +
                                    " values");
  if (!(r.guidance_scale > 0) || !std::isfinite(r.guidance_scale)) throw Error(origin_, where, "guidance scale must be a positive number");
  for (size_t i = 0; i < r.given_actions.size(); ++i)
    if (!std::isfinite(r.given_actions[i]))
      throw Error("given actions", "value " + std::to_string(i), "is not a finite number");
}

RolloutResult Predictor::run(const data::Episode& ep, const RolloutRequest& r, const RolloutEvents& events,
                             const CancelToken* cancel) try {
  check(ep, r);
  torch::NoGradGuard no_grad;
  const auto& c = config_;
  const auto t_start = Clock::now();
  const sampling::Mode mode = sampling_mode(r.mode);
  const int H = c.video_frames() - 1, K = c.num_actions, skip = c.actions_per_frame;
  RolloutResult result;
  auto& ro = result.rollout;
  ro.episode_name = ep.name;
  ro.mode = mode_name(r.mode);
  ro.start_frame = ep.first_frame + r.start_frame;
  for (int k = 1; k <= H; ++k) ro.frame_indices.push_back(ro.start_frame + k * skip);
  for (int k = 0; k < K; ++k) ro.action_frame_indices.push_back(ro.start_frame + k);

  // Conditions: O_0 of every view through the VAE, s_0 normalized, the instruction.
  if (events.on_stage) events.on_stage("encode");
  const auto cams = cameras_for(ep);
  const data::Clip clip = data::make_clip(ep, r.start_frame, clip_spec(c, cams), meta_.stats, false);
  const ClipBatch batch = to_batch({clip}, c, false);
  sampling::Conditions cond;
  cond.video = encode_views(nets_.vae, batch.rgb.to(device_));
  cond.state = batch.states.to(device_);
  const std::string instruction = r.instruction.empty() ? ep.instruction : r.instruction;
  cond.text = text_context(instruction);
  // The empty prompt only feeds guidance's unconditional pass (umT5-xxl costs seconds a prompt).
  cond.empty_text = r.guidance_scale != 1.0 ? text_context("") : cond.text;
  result.timings.encode_ms = ms_since(t_start);
  throw_if_cancelled(cancel);

  sampling::XWamNetwork network(nets_.model, cond);
  sampling::DenoisePlan plan = sampling::DenoisePlan::make({mode, r.steps_action, r.steps_video});
  const bool policy_call = r.action_only && plan.action_ready_call >= 0;
  if (policy_call) plan.calls.resize(plan.action_ready_call + 1);
  sampling::Tokens start = network.start_noise(1, r.seed, plan.future_video);
  if (mode == sampling::Mode::ActionConditioned) {
    std::vector<float> normalized(r.given_actions.size());
    for (int k = 0; k < K; ++k)
      meta_.stats.normalize_action(r.given_actions.data() + k * c.action_dim, normalized.data() + k * c.action_dim);
    start.action = torch::tensor(normalized).view({1, K, c.action_dim}).to(device_);
  }

  // A network that yields NaN/inf (bad weights, an overflow in float16) is an error, not a result.
  auto require_finite_output = [&](const torch::Tensor& t, const char* what) {
    if (!torch::isfinite(t).all().item<bool>())
      throw Error(origin_, "episode " + ep.name, std::string("the network predicted non-finite ") + what +
                                                     " (NaN or inf) with weights in " + model::dtype_name(dtype()));
  };

  // Un-normalized actions and states of the chunk, handed out the moment they are final. Dimensions
  // the episode does not have (a missing arm) are zero, and dimensions that were constant over the
  // training data keep that constant: the statistics cannot scale them, so the network's residual
  // noise there would otherwise come out in raw units.
  auto settle = [](float* v, int dims, const auto& mask, const auto& q01, const auto& q99) {
    for (int d = 0; d < dims; ++d) {
      if (!mask[d]) v[d] = 0.f;
      else if (std::abs(q99[d] - q01[d]) < 1e-6f) v[d] = q01[d];
    }
  };
  auto make_chunk = [&](const sampling::Tokens& x, double latency_ms) {
    ActionChunk chunk;
    chunk.latency_ms = latency_ms;
    const torch::Tensor a = x.action.to(torch::kCPU).contiguous(), s = x.state.to(torch::kCPU).contiguous();
    require_finite_output(a, "actions");
    require_finite_output(s, "states");
    chunk.actions.resize(static_cast<size_t>(K) * c.action_dim);
    for (int k = 0; k < K; ++k) {
      float* out = chunk.actions.data() + k * c.action_dim;
      meta_.stats.denormalize_action(a.data_ptr<float>() + k * c.action_dim, out);
      settle(out, c.action_dim, ep.action_mask, meta_.stats.action_q01, meta_.stats.action_q99);
    }
    chunk.states.resize(static_cast<size_t>(H) * c.state_dim);
    for (int k = 0; k < H; ++k) {
      float* out = chunk.states.data() + k * c.state_dim;
      meta_.stats.denormalize_state(s.data_ptr<float>() + k * c.state_dim, out);
      settle(out, c.state_dim, ep.state_mask, meta_.stats.state_q01, meta_.stats.state_q99);
    }
    chunk.action_frames = ro.action_frame_indices;
    chunk.state_frames = ro.frame_indices;
    return chunk;
  };
  sampling::DenoiseCallbacks cb;
  cb.on_action_ready = [&](const sampling::Tokens& x, double ms) {
    result.chunk = make_chunk(x, ms);
    if (events.on_action_ready) events.on_action_ready(result.chunk);
  };
  cb.on_video_step = events.on_video_step;
  if (events.on_stage) events.on_stage("denoise");
  const sampling::DenoiseResult d = sampling::denoise(network, plan, start, r.solver == Solver::Euler ? sampling::SolverKind::Euler : sampling::SolverKind::UniPC,
                                                      r.guidance_scale, cb, cancel);
  result.timings.action_ms = d.action_ms;
  result.timings.video_ms = d.total_ms;
  result.timings.network_calls = d.network_calls;
  if (d.action_ms < 0) {  // action-conditioned: the actions were given, the states were generated
    result.chunk = make_chunk(d.clean, -1);
    result.chunk.actions = r.given_actions;
  }
  ro.actions = result.chunk.actions;
  ro.states = result.chunk.states;

  // Decode the future frames of every view: RGB, and depth from the depth branch's clean latents. All
  // views advance together, latent frame by latent frame, each through its own decoder cache, so the
  // frames of a latent frame are handed out as soon as every view has them.
  if (plan.future_video && !policy_call) {
    if (events.on_stage) events.on_stage("decode");
    const auto t_decode = Clock::now();
    const int V = c.views, Hp = c.image_height(), Wp = c.image_width();
    std::vector<model::VaeDecoding> rgb_streams, depth_streams;
    for (int v = 0; v < V; ++v) {
      geometry::RolloutView view;
      view.camera = cams[v];
      view.width = Wp;
      view.height = Hp;
      ro.views.push_back(std::move(view));
      rgb_streams.emplace_back(*nets_.vae, torch::cat({cond.video.select(1, v), d.clean.video.select(1, v)}, 2));
      if (d.depth.defined()) depth_streams.emplace_back(*nets_.vae, d.depth.select(1, v));
    }
    const int latent_frames = static_cast<int>(rgb_streams.front().latent_frames());
    int done = 0;  // future frames decoded so far
    for (int j = 0; j < latent_frames; ++j) {
      DecodedFrames step;
      step.latent_frame = j;
      step.latent_frames = latent_frames - 1;
      step.first = done;
      step.frames = H;
      for (int v = 0; v < V; ++v) {
        throw_if_cancelled(cancel);
        // The first video frame is the observation's own (the conditioning latent frame): not a prediction.
        const int observed = j == 0 ? 1 : 0;
        const torch::Tensor rgb = rgb_streams[v].next()[0].slice(1, observed);  // [3, n, Hp, Wp]
        require_finite_output(rgb, "RGB frames");
        const int n = static_cast<int>(rgb.size(1));
        if (done + n > H)
          throw Error(origin_, "episode " + ep.name, "the VAE decoded more than the " + std::to_string(H) + " future frames");
        geometry::RolloutView part;
        part.camera = ro.views[v].camera;
        part.width = Wp;
        part.height = Hp;
        part.rgb.resize(static_cast<size_t>(n) * Hp * Wp * 3);
        const torch::Tensor bytes = ((rgb.clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8).permute({1, 2, 3, 0}).contiguous().cpu();
        std::memcpy(part.rgb.data(), bytes.data_ptr<uint8_t>(), part.rgb.size());
        if (!depth_streams.empty()) {
          const torch::Tensor pseudo = depth_streams[v].next()[0].slice(1, observed);
          const torch::Tensor depth = model::pseudo_rgb_to_depth(pseudo, 0, c.depth_near_m, c.depth_far_m).contiguous().cpu();
          require_finite_output(depth, "depth");
          part.depth.assign(depth.data_ptr<float>(), depth.data_ptr<float>() + depth.numel());
        }
        auto& whole = ro.views[v];
        whole.rgb.insert(whole.rgb.end(), part.rgb.begin(), part.rgb.end());
        whole.depth.insert(whole.depth.end(), part.depth.begin(), part.depth.end());
        step.count = n;
        step.views.push_back(std::move(part));
      }
      step.frame_indices.assign(ro.frame_indices.begin() + done, ro.frame_indices.begin() + done + step.count);
      done += step.count;
      if (step.count > 0 && events.on_frames_decoded) events.on_frames_decoded(step);
    }
    if (done != H) throw Error(origin_, "episode " + ep.name, "the VAE decoded " + std::to_string(done) + " future frames; expected " + std::to_string(H));
    result.timings.decode_ms = ms_since(t_decode);
  }
  result.timings.total_ms = ms_since(t_start);
  ro.validate();
  return result;
} catch (const c10::Error& e) {
  throw Error(origin_, "episode " + ep.name, std::string("rollout failed in LibTorch: ") + e.what_without_backtrace());
}

}  // namespace xwam::pipeline
