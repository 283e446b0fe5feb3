// Non-finite numbers around a rollout: weights refused at load by tensor name, a network that predicts
// NaN refused naming the checkpoint, given actions checked before compute.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/io/Safetensors.h"
#include "engine/pipeline/Rollout.h"
#include "engine/pipeline/TrainTasks.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
const data::Episode& episode() {
  static const data::Episode ep = [] {
    data::synthetic::GeneratorOptions o;
    o.width = o.height = 32;
    o.frames = 16;
    return data::synthetic::generate_episode(o, 21);
  }();
  return ep;
}

pipeline::CheckpointMeta meta() { return {data::NormStats::compute(std::vector<data::Episode>{episode()}), {"main", "side"}}; }

pipeline::TaskSettings tiny_settings() {
  pipeline::TaskSettings s;
  s.model = model::XWamConfig::preset("tiny");
  return s;
}

pipeline::RolloutRequest quick_request() {
  pipeline::RolloutRequest r;
  r.steps_action = 2;
  r.steps_video = 2;
  r.start_frame = 1;
  return r;
}

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no xwam::Error thrown";
  return "";
}
}  // namespace

TEST(NonFiniteOutput, NaNWeightsAreRefusedAtLoadByTensorName) {
  const fs::path dir = fs::temp_directory_path() / "xwam_nonfinite_output_load";
  fs::remove_all(dir);
  torch::manual_seed(1);
  pipeline::XWamTrainTask(model::make_networks(tiny_settings().model), tiny_settings(), meta(), torch::kCPU)
      .save_weights(dir.string());
  const std::string weights = (dir / "model.safetensors").string();
  io::TensorMap tensors;
  for (auto& [name, t] : io::read_safetensors(weights)) tensors[name] = t.clone();
  const std::string spoiled = tensors.begin()->first;
  tensors[spoiled].view({-1})[0] = std::numeric_limits<float>::quiet_NaN();
  io::write_safetensors(weights, tensors);

  const std::string msg = expect_error([&] { pipeline::Predictor::load(dir.string()); });
  EXPECT_NE(msg.find(dir.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find(spoiled.substr(spoiled.find('.') + 1)), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-finite"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(NonFiniteOutput, ANetworkPredictingNaNIsAnErrorNamingTheCheckpoint) {
  torch::manual_seed(2);
  model::XWamNetworks nets = model::make_networks(tiny_settings().model);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : nets.model->parameters()) p.fill_(std::numeric_limits<float>::quiet_NaN());
  }
  pipeline::Predictor predictor(std::move(nets), tiny_settings().model, meta(), torch::kCPU, "runs/broken");
  bool actions_handed_out = false;
  pipeline::RolloutEvents events;
  events.on_action_ready = [&](const pipeline::ActionChunk&) { actions_handed_out = true; };
  const std::string msg = expect_error([&] { predictor.run(episode(), quick_request(), events); });
  EXPECT_EQ(msg.rfind("runs/broken", 0), 0u) << msg;
  EXPECT_NE(msg.find("non-finite actions"), std::string::npos) << msg;
  EXPECT_FALSE(actions_handed_out);
}

TEST(NonFiniteOutput, GivenActionsMustBeFinite) {
  torch::manual_seed(3);
  pipeline::Predictor predictor(model::make_networks(tiny_settings().model), tiny_settings().model, meta(), torch::kCPU,
                                "runs/ok");
  auto r = quick_request();
  r.mode = pipeline::Mode::ActionConditioned;
  r.given_actions.assign(static_cast<size_t>(predictor.config().num_actions) * predictor.config().action_dim, 0.f);
  r.given_actions[5] = std::numeric_limits<float>::infinity();
  const std::string msg = expect_error([&] { predictor.check(episode(), r); });
  EXPECT_NE(msg.find("value 5"), std::string::npos) << msg;
}
