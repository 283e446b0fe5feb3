// The X-WAM pipeline on the tiny preset: the training task learns, checkpoints round-trip, rollouts
// hand out the action first, repeat for a seed, cancel cleanly and refuse bad requests before compute.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/Rollout.h"
#include "engine/pipeline/TrainTasks.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Two small synthetic episodes at the tiny model's image size (32 × 32, views main + side).
const std::vector<data::Episode>& episodes() {
  static const std::vector<data::Episode> eps = [] {
    data::synthetic::GeneratorOptions o;
    o.width = o.height = 32;
    o.frames = 24;
    return std::vector<data::Episode>{data::synthetic::generate_episode(o, 11), data::synthetic::generate_episode(o, 12)};
  }();
  return eps;
}

pipeline::CheckpointMeta meta() {
  return {data::NormStats::compute(episodes()), {"main", "side"}};
}

pipeline::TaskSettings tiny_settings() {
  pipeline::TaskSettings s;
  s.model = model::XWamConfig::preset("tiny");
  s.text_dropout = 0;
  return s;
}

std::vector<data::Clip> clips(int n, int stride = 3) {
  const auto spec = pipeline::clip_spec(model::XWamConfig::preset("tiny"), {"main", "side"});
  std::vector<data::Clip> out;
  for (int i = 0; i < n; ++i) out.push_back(data::make_clip(episodes()[i % 2], (i / 2) * stride, spec, meta().stats));
  return out;
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("xwam_pipeline_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A tiny checkpoint (fresh weights; the rollout mechanics do not need a trained model).
std::string tiny_checkpoint(const std::string& name) {
  torch::manual_seed(3);
  const auto settings = tiny_settings();
  const fs::path dir = temp_dir(name) / "ckpt";
  pipeline::XWamTrainTask(model::make_networks(settings.model), settings, meta(), torch::kCPU).save_weights(dir.string());
  return dir.string();
}

pipeline::RolloutRequest quick_request() {
  pipeline::RolloutRequest r;
  r.steps_action = 3;
  r.steps_video = 6;
  r.start_frame = 2;
  return r;
}

}  // namespace

TEST(Pipeline, ClipBatchChecksTheModelShape) {
  auto c = model::XWamConfig::preset("tiny");
  auto batch = pipeline::to_batch(clips(2), c);
  EXPECT_EQ(batch.rgb.sizes(), (std::vector<int64_t>{2, 2, 3, 9, 32, 32}));
  EXPECT_EQ(batch.actions.sizes(), (std::vector<int64_t>{2, 8, 14}));
  c.views = 3;
  try {
    pipeline::to_batch(clips(1), c);
    FAIL() << "a clip with 2 views passed for a 3-view model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("episode"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, XWamTaskLearnsAFixedBatch) {
  torch::manual_seed(0);
  const auto settings = tiny_settings();
  pipeline::XWamTrainTask task(model::make_networks(settings.model), settings, meta(), torch::kCPU);
  const auto batch = clips(2);
  task.train_mode(true);
  torch::optim::Adam opt(task.parameters(), torch::optim::AdamOptions(3e-3));
  auto eval = [&] {
    double sum = 0;
    for (uint64_t s = 100; s < 104; ++s) sum += task.loss(batch, s).total.item<double>();
    return sum / 4;
  };
  const double before = eval();
  for (int step = 0; step < 40; ++step) {
    opt.zero_grad();
    auto terms = task.loss(batch, step);
    EXPECT_TRUE(terms.parts.count("video") && terms.parts.count("action") && terms.parts.count("depth"));
    terms.total.backward();
    opt.step();
  }
  EXPECT_LT(eval(), 0.8 * before);
}

TEST(Pipeline, LatentCacheNeverMixesUpClipsOfTheSameName) {
  // Two files may both hold an "episode_000000": a clip must still get its own latents.
  const auto settings = tiny_settings();
  auto a = clips(1), b = clips(2);
  b = {b[1]};
  b[0].episode = a[0].episode;
  b[0].start_frame = a[0].start_frame;
  torch::manual_seed(5);
  auto nets = model::make_networks(settings.model);
  pipeline::XWamTrainTask cached(nets, settings, meta(), torch::kCPU);
  cached.train_mode(false);
  cached.loss(a, 7);  // fills the cache under a's name and start
  const double seen_after_a = cached.loss(b, 7).total.item<double>();
  torch::manual_seed(5);
  pipeline::XWamTrainTask fresh(model::make_networks(settings.model), settings, meta(), torch::kCPU);
  fresh.train_mode(false);
  EXPECT_DOUBLE_EQ(seen_after_a, fresh.loss(b, 7).total.item<double>());
}

TEST(Pipeline, VaeIsFrozenInTheXWamTask) {
  const auto settings = tiny_settings();
  auto nets = model::make_networks(settings.model);
  auto vae = nets.vae;
  pipeline::XWamTrainTask task(nets, settings, meta(), torch::kCPU);
  for (const auto& p : task.parameters())
    for (const auto& v : vae->parameters()) EXPECT_FALSE(p.is_same(v));
  for (const auto& v : vae->parameters()) EXPECT_FALSE(v.requires_grad());
}

TEST(Pipeline, CheckpointRoundTripAndCorruptFile) {
  const std::string dir = tiny_checkpoint("roundtrip");
  const auto a = model::read_checkpoint(dir);
  const auto meta_back = pipeline::CheckpointMeta::from_json(a.extra_json, a.origin);
  EXPECT_EQ(meta_back.cameras, (std::vector<std::string>{"main", "side"}));
  EXPECT_EQ(meta_back.stats.action_q99, meta().stats.action_q99);
  auto nets = model::load_networks(a);
  for (const auto& [name, t] : nets.state()) EXPECT_TRUE(torch::equal(t, a.tensors.at(name))) << name;
  // Truncate the weights: the error names the file, nothing is returned half-loaded.
  const fs::path weights = fs::path(dir) / "model.safetensors";
  fs::resize_file(weights, fs::file_size(weights) / 2);
  try {
    pipeline::Predictor::load(dir);
    FAIL() << "a truncated checkpoint loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, RolloutHandsOutActionsFirstAndRepeatsForASeed) {
  auto predictor = pipeline::Predictor::load(tiny_checkpoint("seed"));
  std::vector<std::string> order;
  pipeline::RolloutEvents ev;
  ev.on_action_ready = [&](const pipeline::ActionChunk& c) {
    order.push_back("action");
    EXPECT_EQ(c.actions.size(), 8u * 14u);
    EXPECT_GT(c.latency_ms, 0);
  };
  ev.on_video_step = [&](int step, int steps, double) { order.push_back("video" + std::to_string(step)); };
  std::vector<pipeline::DecodedFrames> decoded;
  ev.on_frames_decoded = [&](const pipeline::DecodedFrames& f) {
    order.push_back("decoded");
    decoded.push_back(f);
  };
  const auto a = predictor.run(episodes()[0], quick_request(), ev);
  // The action is final after the T_a-th call, while video still has steps to go.
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[2], "action");
  EXPECT_EQ(order.back(), "decoded");
  EXPECT_LT(a.timings.action_ms, a.timings.video_ms);
  // Progressive frames: one event per future latent frame, every view, in order; appended they are
  // the finished rollout's bytes.
  ASSERT_GE(decoded.size(), 2u);
  std::vector<std::vector<uint8_t>> rgb(a.rollout.views.size());
  std::vector<std::vector<float>> depth(a.rollout.views.size());
  int next = 0;
  for (size_t i = 0; i < decoded.size(); ++i) {
    const auto& f = decoded[i];
    EXPECT_EQ(f.latent_frame, static_cast<int>(i) + 1);
    EXPECT_EQ(f.latent_frames, static_cast<int>(decoded.size()));
    EXPECT_EQ(f.first, next);
    EXPECT_GT(f.count, 0);
    EXPECT_EQ(f.frames, a.rollout.num_frames());
    EXPECT_EQ(f.frame_indices, std::vector<int>(a.rollout.frame_indices.begin() + f.first,
                                                a.rollout.frame_indices.begin() + f.first + f.count));
    next += f.count;
    ASSERT_EQ(f.views.size(), a.rollout.views.size());
    for (size_t v = 0; v < f.views.size(); ++v) {
      EXPECT_EQ(f.views[v].camera, a.rollout.views[v].camera);
      EXPECT_EQ(f.views[v].rgb.size(), static_cast<size_t>(f.count) * 32 * 32 * 3);
      rgb[v].insert(rgb[v].end(), f.views[v].rgb.begin(), f.views[v].rgb.end());
      depth[v].insert(depth[v].end(), f.views[v].depth.begin(), f.views[v].depth.end());
    }
  }
  EXPECT_EQ(next, a.rollout.num_frames());
  for (size_t v = 0; v < rgb.size(); ++v) {
    EXPECT_EQ(rgb[v], a.rollout.views[v].rgb);
    EXPECT_EQ(depth[v], a.rollout.views[v].depth);
  }
  const auto b = predictor.run(episodes()[0], quick_request());
  EXPECT_EQ(a.rollout.actions, b.rollout.actions);
  EXPECT_EQ(a.rollout.views[1].rgb, b.rollout.views[1].rgb);
  EXPECT_EQ(a.rollout.views[0].depth, b.rollout.views[0].depth);
  auto other = quick_request();
  other.seed = 1;
  EXPECT_NE(predictor.run(episodes()[0], other).rollout.actions, a.rollout.actions);
  // Frames and actions stand at the episode steps they predict.
  EXPECT_EQ(a.rollout.frame_indices.front(), 2 + 1);  // tiny: one action (= one step) per video frame
  EXPECT_EQ(a.rollout.action_frame_indices.front(), 2);
  EXPECT_EQ(a.rollout.views[0].depth.size(), 8u * 32 * 32);
  // The episodes have one arm: the second arm's dimensions come out as exact zeros, not noise.
  for (size_t k = 0; k < 8; ++k)
    for (int d = 7; d < 14; ++d) EXPECT_EQ(a.rollout.actions[k * 14 + d], 0.f) << k << "," << d;
  for (size_t k = 0; k < 8; ++k)
    for (int d = 8; d < 16; ++d) EXPECT_EQ(a.rollout.states[k * 16 + d], 0.f) << k << "," << d;
}

TEST(Pipeline, ModesShapeTheOutputs) {
  auto predictor = pipeline::Predictor::load(tiny_checkpoint("modes"));
  auto r = quick_request();
  r.mode = pipeline::Mode::FastWam;
  const auto fast = predictor.run(episodes()[1], r);
  EXPECT_TRUE(fast.rollout.views.empty());
  EXPECT_EQ(fast.timings.network_calls, 3);
  // Action-conditioned: the given actions come back as they were, video is generated for them.
  r.mode = pipeline::Mode::ActionConditioned;
  r.given_actions.assign(8 * 14, 0.f);
  for (int k = 0; k < 8; ++k) r.given_actions[k * 14] = 0.01f * k;
  const auto imagined = predictor.run(episodes()[1], r);
  ASSERT_EQ(imagined.rollout.actions.size(), r.given_actions.size());
  for (size_t i = 0; i < r.given_actions.size(); ++i)
    if (meta().stats.action_q99[i % 14] > meta().stats.action_q01[i % 14])
      EXPECT_NEAR(imagined.rollout.actions[i], r.given_actions[i], 1e-5) << i;
  EXPECT_EQ(imagined.rollout.views.size(), 2u);
  EXPECT_LT(imagined.timings.action_ms, 0);
}

TEST(Pipeline, CancelStopsBetweenCalls) {
  auto predictor = pipeline::Predictor::load(tiny_checkpoint("cancel"));
  CancelToken cancel;
  pipeline::RolloutEvents ev;
  int steps = 0;
  ev.on_video_step = [&](int, int, double) {
    if (++steps == 2) cancel.cancel();
  };
  EXPECT_THROW(predictor.run(episodes()[0], quick_request(), ev, &cancel), Cancelled);
  EXPECT_EQ(steps, 2);
}

TEST(Pipeline, BadRequestsFailBeforeCompute) {
  auto predictor = pipeline::Predictor::load(tiny_checkpoint("bad"));
  auto expect_error = [&](const data::Episode& ep, const pipeline::RolloutRequest& r, const std::string& needle) {
    int calls = 0;
    pipeline::RolloutEvents ev;
    ev.on_stage = [&](const std::string&) { ++calls; };
    try {
      predictor.run(ep, r, ev);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_EQ(calls, 0) << needle;
  };
  try {
    pipeline::parse_mode("dream");
    ADD_FAILURE() << "mode 'dream' parsed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dream"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pipeline::parse_mode("action-conditioned"), pipeline::Mode::ActionConditioned);
  EXPECT_STREQ(pipeline::mode_name(pipeline::parse_mode("fastwam")), "fastwam");
  auto r = quick_request();
  r.start_frame = 500;
  expect_error(episodes()[0], r, "start frame");
  r = quick_request();
  r.mode = pipeline::Mode::ActionConditioned;
  expect_error(episodes()[0], r, "actions");
  data::Episode no_side = episodes()[0];
  no_side.cameras[1].name = "left";
  expect_error(no_side, quick_request(), "side");
  // A checkpoint whose config disagrees with its weights is refused by name.
  const std::string dir = tiny_checkpoint("mismatch");
  const auto ckpt = model::read_checkpoint(dir);
  auto config = ckpt.config;
  config.dit.num_layers = 4;
  config.depth_layers = 1;
  const std::string edited = dir + "-edited";
  fs::remove_all(edited);
  model::write_checkpoint(edited, config, ckpt.tensors, ckpt.extra_json);
  try {
    pipeline::Predictor::load(edited);
    FAIL() << "config/weights mismatch loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("blocks.3"), std::string::npos) << e.what();
  }
}

// A bfloat16 predictor gives the float32 predictor's rollout within bf16 precision, and the device
// and dtype names are checked before anything loads.
TEST(Pipeline, Bfloat16RolloutFollowsFloat32AndDevicesAreChecked) {
  const auto checkpoint = tiny_checkpoint("dtype");
  auto f32 = pipeline::Predictor::load(checkpoint);
  auto bf16 = pipeline::Predictor::load(checkpoint, torch::kCPU, "", torch::kBFloat16);
  EXPECT_EQ(f32.dtype(), torch::kFloat32);
  EXPECT_EQ(bf16.dtype(), torch::kBFloat16);
  const auto a = f32.run(episodes()[0], quick_request()).rollout.actions;
  const auto b = bf16.run(episodes()[0], quick_request()).rollout.actions;
  ASSERT_EQ(a.size(), b.size());
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, double(std::abs(a[i] - b[i])));
    scale = std::max(scale, double(std::abs(a[i])));
  }
  EXPECT_GT(worst, 0.0) << "the weights were not converted";
  EXPECT_LE(worst, 0.1 * scale);

  EXPECT_EQ(pipeline::parse_device("cpu"), torch::Device(torch::kCPU));
  EXPECT_EQ(pipeline::default_dtype(torch::kCPU), torch::kFloat32);
  EXPECT_EQ(pipeline::default_dtype(torch::Device(torch::kCUDA, 0)), torch::kBFloat16);
  EXPECT_EQ(pipeline::parse_dtype("", torch::kCPU), torch::kFloat32);
  EXPECT_EQ(pipeline::parse_dtype("bf16", torch::kCPU), torch::kBFloat16);
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda0"}) EXPECT_THROW(pipeline::parse_device(bad), Error) << bad;
  EXPECT_THROW(pipeline::parse_dtype("int8", torch::kCPU), Error);
  try {
    pipeline::parse_dtype("float16", torch::kCPU);
    ADD_FAILURE() << "float16 on the CPU must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--dtype"), std::string::npos) << e.what();
  }
  if (torch::cuda::is_available()) {
    EXPECT_THROW(pipeline::parse_device("cuda:" + std::to_string(torch::cuda::device_count())), Error);
  } else {
    try {
      pipeline::parse_device("cuda");
      ADD_FAILURE() << "cuda without a GPU must be refused";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no CUDA GPU"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(pipeline::available_devices().front(), "cpu");
}
