// The X-WAM network on the tiny preset: what its outputs may and may not depend on.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "engine/core/Error.h"
#include "engine/model/Rope.h"
#include "engine/model/XWamModel.h"
#include "tests/model/ParameterFormula.h"

using namespace xwam::model;

namespace {

ModelInputs random_inputs(const XWamConfig& c, int64_t B = 2) {
  torch::manual_seed(11);
  ModelInputs in;
  in.video = torch::randn({B, c.views, c.dit.in_dim, c.latent_frames, c.latent_height, c.latent_width});
  in.states = torch::randn({B, c.num_states, c.state_dim});
  in.actions = torch::randn({B, c.num_actions, c.action_dim});
  in.t_video = torch::full({B}, 900.0);
  in.t_state = torch::full({B}, 900.0);
  in.t_action = torch::full({B}, 500.0);
  in.text = torch::randn({B, 5, c.dit.text_dim});
  return in;
}

XWamModel tiny_model() {
  torch::manual_seed(3);
  return XWamModel(XWamConfig::preset("tiny"));
}

}  // namespace

TEST(XWamModel, ParameterNamesAndCountsFollowWan22) {
  auto model = tiny_model();
  int64_t total = 0;
  std::set<std::string> names;
  for (const auto& p : model->named_parameters()) {
    total += p.value().numel();
    names.insert(p.key());
  }
  // The module holds what the architecture's formula says, and so does the engine's own count.
  EXPECT_EQ(total, test::xwam_network(model->config));
  const ParameterCounts counted = count_parameters(model->config);
  EXPECT_EQ(counted.dit, test::wan_dit(model->config.dit));
  EXPECT_EQ(counted.depth_branch, test::xwam_depth_branch(model->config));
  EXPECT_EQ(counted.xwam_heads, test::xwam_heads(model->config));
  for (const char* name : {"patch_embedding.weight", "text_embedding.0.weight", "text_embedding.2.bias",
                           "time_embedding.0.weight", "time_projection.1.weight", "blocks.0.self_attn.q.weight",
                           "blocks.0.self_attn.norm_q.weight", "blocks.2.cross_attn.norm_k.weight", "blocks.1.norm3.weight",
                           "blocks.1.ffn.0.weight", "blocks.1.ffn.2.bias", "blocks.0.modulation", "head.head.weight",
                           "head.modulation", "view_embedding.weight", "action_encoder.0.weight", "action_decoder.2.bias",
                           "proprio_encoder.2.weight", "proprio_decoder.0.bias", "extra_blocks.0.0.self_attn.k.bias",
                           "extra_heads.0.head.weight"})
    EXPECT_TRUE(names.count(name)) << name;
  // Wan2.2-TI2V-5B from its published configuration (dim 3072, ffn 14336, 30 layers, in/out 48,
  // patch 1×2×2, text 4096, freq 256): 4,999,787,712 DiT parameters, the published "5B".
  const XWamConfig wan = XWamConfig::preset("wan2.2-ti2v-5b");
  EXPECT_EQ(test::wan_dit(wan.dit), 4999787712LL);
  EXPECT_EQ(count_parameters(wan).dit, 4999787712LL);
}

// The demo preset (the shipped checkpoint's network) and a config where every size differs, so a
// formula that swaps two sizes cannot agree by accident: the module structure the 5B count above
// relies on (the 5B network itself is too large to build here).
TEST(XWamModel, ParameterCountsFollowTheFormulaForOtherSizes) {
  XWamConfig odd = XWamConfig::preset("tiny");
  odd.name = "odd";
  odd.dit.dim = 48;
  odd.dit.num_heads = 4;
  odd.dit.ffn_dim = 80;
  odd.dit.freq_dim = 24;
  odd.dit.text_dim = odd.text.dim = 40;
  odd.dit.in_dim = odd.vae.z_dim = 6;
  odd.dit.out_dim = 5;
  odd.dit.patch = {1, 2, 3};
  odd.latent_height = 4;
  odd.latent_width = 6;
  odd.dit.num_layers = 3;
  odd.depth_layers = 2;
  odd.views = 2;
  for (const XWamConfig& config : {XWamConfig::preset("demo"), odd}) {
    XWamModel model(config);
    int64_t total = 0;
    for (const auto& p : model->parameters()) total += p.numel();
    EXPECT_EQ(total, test::xwam_network(config)) << config.name;
    EXPECT_EQ(total, count_parameters(config).total()) << config.name;
  }
}

TEST(XWamModel, DepthBranchIsOneWay) {
  auto model = tiny_model();
  torch::NoGradGuard no_grad;
  auto in = random_inputs(model->config);
  auto without = model->forward(in);
  in.run_depth = true;
  auto with = model->forward(in);
  EXPECT_FALSE(without.depth.defined());
  ASSERT_TRUE(with.depth.defined());
  EXPECT_EQ(with.depth.sizes(), with.video.sizes());
  EXPECT_TRUE(torch::equal(with.video, without.video));
  EXPECT_TRUE(torch::equal(with.actions, without.actions));
  EXPECT_TRUE(torch::equal(with.states, without.states));
  // Changing the depth branch changes depth only.
  for (auto& p : model->extra_blocks->parameters()) p.add_(0.05);
  auto changed = model->forward(in);
  EXPECT_TRUE(torch::equal(changed.video, with.video));
  EXPECT_TRUE(torch::equal(changed.actions, with.actions));
  EXPECT_FALSE(torch::allclose(changed.depth, with.depth));
  // Changing the main inputs reaches the depth output.
  in.video = in.video + 0.5;
  EXPECT_FALSE(torch::allclose(model->forward(in).depth, changed.depth));
}

TEST(XWamModel, FastWamMaskHidesFutureVideoFromActions) {
  auto model = tiny_model();
  torch::NoGradGuard no_grad;
  auto in = random_inputs(model->config);
  in.fastwam_mask = true;
  auto base = model->forward(in);
  auto perturbed = in;
  perturbed.video = in.video.clone();
  perturbed.video.slice(3, 1).add_(torch::randn_like(perturbed.video.slice(3, 1)));  // future latent frames
  perturbed.states = in.states.clone();
  perturbed.states.slice(1, 1).add_(1.0);  // future states
  auto after = model->forward(perturbed);
  EXPECT_TRUE(torch::equal(after.actions, base.actions));
  EXPECT_FALSE(torch::allclose(after.video, base.video));
  // Without the mask the same perturbation does reach the actions.
  in.fastwam_mask = perturbed.fastwam_mask = false;
  EXPECT_FALSE(torch::allclose(model->forward(perturbed).actions, model->forward(in).actions));
  // And the condition frame does reach them with the mask.
  auto cond = in;
  cond.fastwam_mask = true;
  cond.video = in.video.clone();
  cond.video.slice(3, 0, 1).add_(1.0);
  EXPECT_FALSE(torch::allclose(model->forward(cond).actions, base.actions));
}

TEST(XWamModel, StatesAndActionsOfOneTimeShareTheTemporalRotation) {
  for (const char* preset : {"tiny", "wan2.2-ti2v-5b"}) {
    XWamConfig c = XWamConfig::preset(preset);
    // Positions only: build the model's table without allocating a 5B model.
    const int Lv = c.video_tokens(), K = c.num_actions;
    const int per_state = c.actions_per_frame;  // actions per video frame; state j sits at video frame j
    std::vector<double> pos;
    for (int k = 0; k < K; ++k) pos.insert(pos.end(), {k / double(c.actions_per_frame * c.temporal_compression), 0, 0});
    for (int j = 0; j < c.num_states; ++j) pos.insert(pos.end(), {j / double(c.temporal_compression), 0, 0});
    auto rope = make_rope(torch::tensor(pos).view({-1, 3}), c.dit.head_dim());
    const int frame_pairs = (c.dit.head_dim() - 4 * (c.dit.head_dim() / 6)) / 2;
    for (int j = 0; j * per_state < K && j < c.num_states; ++j) {
      auto action_row = rope.cos[j * per_state].slice(0, 0, frame_pairs);
      auto state_row = rope.cos[K + j].slice(0, 0, frame_pairs);
      EXPECT_TRUE(torch::allclose(action_row, state_row, 0, 1e-6)) << preset << " time " << j;
    }
    EXPECT_GT(Lv, 0);
  }
  // The model's own table agrees for the tiny preset (video frame f at latent f, actions between).
  auto model = tiny_model();
  const int c_frames = model->config.latent_frames;
  auto positions = model->token_positions(c_frames);
  const auto& c = model->config;
  EXPECT_EQ(positions.size(0), c.tokens());
  EXPECT_DOUBLE_EQ(positions[c.video_tokens() + 4][0].item<double>(), 1.0);  // action 4 = latent frame 1
  EXPECT_DOUBLE_EQ(positions[c.video_tokens() + c.num_actions + 2][0].item<double>(), 0.5);  // state 2
}

TEST(XWamModel, WrongShapesAreNamedBeforeAnyCompute) {
  auto model = tiny_model();
  auto in = random_inputs(model->config);
  in.actions = torch::randn({2, 7, 14});
  try {
    model->forward(in);
    FAIL();
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("actions has shape [2, 7, 14]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(XWamConfig::preset("huge"), xwam::Error);
}

TEST(XWamModel, ContextOnlyPassMatchesTheMaskedFullPassForActions) {
  // Fast-WAM inference drops future video tokens; under the mask they could not reach the actions
  // anyway, so both give the same actions (up to summation order).
  auto model = tiny_model();
  torch::NoGradGuard no_grad;
  auto in = random_inputs(model->config);
  in.fastwam_mask = true;
  auto full = model->forward(in);
  auto context = in;
  context.video = in.video.slice(3, 0, 1).contiguous();
  auto short_pass = model->forward(context);
  EXPECT_EQ(short_pass.video.size(3), 1);
  EXPECT_TRUE(torch::allclose(short_pass.actions, full.actions, 1e-5, 1e-5));
}

TEST(XWamModel, TrainsOnATinyProblem) {
  // The whole network is differentiable end to end: a few Adam steps fit a fixed target.
  auto model = tiny_model();
  auto in = random_inputs(model->config, 1);
  torch::optim::Adam opt(model->parameters(), 3e-3);
  auto target = torch::zeros({1, model->config.num_actions, model->config.action_dim});
  double first = 0, last = 0;
  for (int step = 0; step < 15; ++step) {
    opt.zero_grad();
    auto loss = torch::mse_loss(model->forward(in).actions, target);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first);
}

TEST(XWamModel, GradientCheckpointingGivesTheSameGradients) {
  for (bool run_depth : {true, false}) {
    auto model = tiny_model();
    model->train();
    auto in = random_inputs(model->config);
    in.run_depth = run_depth;
    auto grads = [&](bool recompute) {
      model->gradient_checkpointing = recompute;
      model->zero_grad();
      const auto out = model->forward(in);
      auto loss = out.video.pow(2).mean() + out.actions.pow(2).mean() + out.states.pow(2).mean();
      if (run_depth) loss = loss + out.depth.pow(2).mean();
      loss.backward();
      std::map<std::string, torch::Tensor> g;
      for (const auto& p : model->named_parameters())
        if (p.value().grad().defined()) g[p.key()] = p.value().grad().clone();
      return std::make_pair(loss.item<double>(), g);
    };
    const auto [plain_loss, plain] = grads(false);
    const auto [recomputed_loss, recomputed] = grads(true);
    EXPECT_NEAR(recomputed_loss, plain_loss, 1e-6 * std::abs(plain_loss));
    ASSERT_EQ(recomputed.size(), plain.size()) << "every parameter must receive its gradient";
    EXPECT_GT(plain.size(), 100u);
    for (const auto& [name, g] : plain)
      EXPECT_TRUE(torch::allclose(recomputed.at(name), g, 1e-4, 1e-6)) << name << (run_depth ? " (depth)" : "");
  }
}
