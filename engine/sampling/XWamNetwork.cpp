#include "engine/sampling/XWamNetwork.h"

namespace xwam::sampling {

XWamNetwork::XWamNetwork(model::XWamModel model, Conditions conditions)
    : model_(std::move(model)), cond_(std::move(conditions)) {}

Tokens XWamNetwork::start_noise(int64_t B, uint64_t seed, bool future_video) const {
  const auto& c = model_->config;
  const auto options = cond_.video.options();
  Tokens t;
  if (future_video)
    t.video = seeded_noise({B, c.views, c.dit.in_dim, c.latent_frames - 1, c.latent_height, c.latent_width}, seed, 0, options);
  t.state = seeded_noise({B, c.num_states - 1, c.state_dim}, seed, 1, options);
  t.action = seeded_noise({B, c.num_actions, c.action_dim}, seed, 2, options);
  return t;
}

Prediction XWamNetwork::predict(const NetworkCall& call) {
  torch::NoGradGuard no_grad;
  const int64_t B = call.x.action.size(0);
  auto full = [&](double t) { return torch::full({B}, t, torch::TensorOptions().device(cond_.video.device())); };
  model::ModelInputs in;
  in.video = call.future_video ? torch::cat({cond_.video, call.x.video}, 3) : cond_.video;
  in.states = torch::cat({cond_.state, call.x.state}, 1);
  in.actions = call.x.action;
  in.t_video = full(call.video_t);
  in.t_state = full(call.state_t);
  in.t_action = full(call.action_t);
  in.text = call.unconditional ? cond_.empty_text : cond_.text;
  in.run_depth = call.depth;
  in.fastwam_mask = !call.future_video;
  model::ModelOutputs out = model_->forward(in);
  Prediction p;
  if (call.future_video) p.video = out.video.slice(3, 1);
  p.state = out.states.slice(1, 1);
  p.action = out.actions;
  if (out.depth.defined()) p.depth = out.depth;
  return p;
}

}  // namespace xwam::sampling
