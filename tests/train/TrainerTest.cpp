// The trainer on a small task: exact resume, checkpoints that survive a failed save, JSON progress.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/train/Trainer.h"

namespace fs = std::filesystem;
using namespace xwam;

namespace {

// Predicts the first action from the condition state plus per-step random noise input, so the
// step seed matters for the result.
class SmallTask : public train::TrainTask {
 public:
  SmallTask() {
    torch::manual_seed(5);
    net = torch::nn::Sequential(torch::nn::Linear(data::kStateDim + 1, 16), torch::nn::Tanh(),
                                torch::nn::Linear(16, data::kActionDim));
  }
  std::vector<torch::Tensor> parameters() override { return net->parameters(); }
  train::LossTerms loss(const std::vector<data::Clip>& batch, uint64_t seed) override {
    std::vector<torch::Tensor> xs, ys;
    for (const auto& c : batch) {
      xs.push_back(torch::tensor(std::vector<float>(c.states.begin(), c.states.begin() + data::kStateDim)));
      ys.push_back(torch::tensor(std::vector<float>(c.actions.begin(), c.actions.begin() + data::kActionDim)));
    }
    auto gen = at::detail::createCPUGenerator(seed);
    auto noise = at::randn({static_cast<int64_t>(batch.size()), 1}, gen, torch::kFloat32);
    auto pred = net->forward(torch::cat({torch::stack(xs), noise}, 1));
    auto l = torch::mse_loss(pred, torch::stack(ys));
    return {l, {{"action", l.item<double>()}}};
  }
  void save_weights(const std::string& dir) override {
    if (fail_saves_after >= 0 && saves++ >= fail_saves_after) throw Error(dir, "simulated disk full");
    torch::save(net->parameters(), dir + "/weights.pt");
  }
  void load_weights(const std::string& dir) override {
    std::vector<torch::Tensor> loaded;
    torch::load(loaded, dir + "/weights.pt");
    torch::NoGradGuard g;
    auto params = net->parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(loaded[i]);
  }
  void train_mode(bool on) override { net->train(on); }

  torch::nn::Sequential net{nullptr};
  int fail_saves_after = -1, saves = 0;
};

std::string dataset(const std::string& tag) {
  auto path = (fs::temp_directory_path() / ("xwam_trainer_" + tag + std::to_string(::getpid()) + ".h5")).string();
  data::EpisodeFileWriter w(path);
  for (int e = 0; e < 4; ++e) {
    data::Episode ep;
    ep.name = "e" + std::to_string(e);
    const int T = 12;
    ep.num_frames = ep.total_frames = T;
    data::CameraInfo cam;
    cam.name = "main";
    cam.width = cam.height = 2;
    ep.cameras = {cam};
    ep.rgb = {std::vector<uint8_t>(T * 12, 1)};
    ep.depth = {{}};
    ep.states.assign(T * data::kStateDim, 0.f);
    ep.actions.assign(T * data::kActionDim, 0.f);
    for (int t = 0; t < T; ++t) {
      ep.states[t * data::kStateDim] = 0.1f * t + e;
      ep.actions[t * data::kActionDim] = 0.05f * t - 0.2f * e;
    }
    w.add(ep);
  }
  w.commit();
  return path;
}

data::ClipSpec spec() {
  data::ClipSpec s;
  s.future_frames = 2;
  s.frame_skip = 2;
  return s;
}

data::NormStats unit_stats() {
  data::NormStats s;
  s.state_q01.fill(-1.f);
  s.state_q99.fill(1.f);
  s.action_q01.fill(-1.f);
  s.action_q99.fill(1.f);
  return s;
}

train::TrainConfig config() {
  train::TrainConfig c;
  c.steps = 8;
  c.lr = 1e-2;
  c.warmup_steps = 2;
  c.checkpoint_every = 4;
  c.log_every = 1;
  c.batch_size = 2;
  c.grad_accumulation = 2;
  c.ema_decay = 0.9;
  c.seed = 3;
  return c;
}

data::ClipLoaderOptions loader_options() {
  data::ClipLoaderOptions o;
  o.batch_size = 2;
  o.seed = 3;
  return o;
}

std::vector<nlohmann::json> read_progress(const fs::path& run) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(run / "progress.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST(Trainer, StopThenResumeEqualsAStraightRun) {
  auto data_file = dataset("resume");
  train::DataParallel single(train::DistributedEnv{});
  const fs::path straight_dir = fs::temp_directory_path() / ("xwam_run_straight_" + std::to_string(::getpid()));
  const fs::path split_dir = fs::temp_directory_path() / ("xwam_run_split_" + std::to_string(::getpid()));
  fs::remove_all(straight_dir);
  fs::remove_all(split_dir);

  SmallTask straight;
  {
    data::ClipLoader loader({data_file}, spec(), unit_stats(), loader_options());
    train::Trainer(config(), straight_dir.string(), single).run(straight, loader, nullptr, false, {}, nullptr);
  }

  // Stop after step 3 (a cancel saves a checkpoint there), then resume in a fresh process-like setup.
  {
    SmallTask first;
    data::ClipLoader loader({data_file}, spec(), unit_stats(), loader_options());
    CancelToken cancel;
    train::TrainerHooks hooks;
    hooks.on_report = [&](const train::StepReport& r) {
      if (r.step == 3 && r.checkpoint.empty()) cancel.cancel();
    };
    EXPECT_THROW(train::Trainer(config(), split_dir.string(), single).run(first, loader, nullptr, false, hooks, &cancel),
                 Cancelled);
  }
  EXPECT_NE(train::Trainer::latest_checkpoint(split_dir.string()).find("step_00000003"), std::string::npos);
  SmallTask resumed;
  {
    data::ClipLoader loader({data_file}, spec(), unit_stats(), loader_options());
    train::Trainer(config(), split_dir.string(), single).run(resumed, loader, nullptr, true, {}, nullptr);
  }
  auto a = straight.parameters(), b = resumed.parameters();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;

  // Same losses at the same steps, and progress lines carry what a user needs.
  auto pa = read_progress(straight_dir), pb = read_progress(split_dir);
  std::map<int64_t, double> la, lb;
  for (const auto& j : pa)
    if (j.contains("loss")) la[j["step"]] = j["loss"];
  for (const auto& j : pb)
    if (j.contains("loss")) lb[j["step"]] = j["loss"];
  ASSERT_EQ(la.size(), 8u);
  for (int64_t s = 1; s <= 8; ++s) EXPECT_EQ(la[s], lb[s]) << "step " << s;
  const auto& line = pa.front();
  for (const char* key : {"loss", "loss_action", "lr", "grad_norm", "samples_per_s", "eta_s", "total_steps"})
    EXPECT_TRUE(line.contains(key)) << key;
  EXPECT_GT(la[1], la[8]) << "training should reduce the loss";
  fs::remove_all(straight_dir);
  fs::remove_all(split_dir);
  fs::remove(data_file);
}

TEST(Trainer, AFailedSaveLeavesTheLastGoodCheckpoint) {
  auto data_file = dataset("fail");
  train::DataParallel single(train::DistributedEnv{});
  const fs::path run = fs::temp_directory_path() / ("xwam_run_fail_" + std::to_string(::getpid()));
  fs::remove_all(run);
  SmallTask task;
  task.fail_saves_after = 1;  // the step-4 save succeeds, the step-8 save fails
  data::ClipLoader loader({data_file}, spec(), unit_stats(), loader_options());
  EXPECT_THROW(train::Trainer(config(), run.string(), single).run(task, loader, nullptr, false, {}, nullptr), Error);
  const std::string latest = train::Trainer::latest_checkpoint(run.string());
  EXPECT_NE(latest.find("step_00000004"), std::string::npos);
  SmallTask reload;
  reload.load_weights(latest + "/weights");
  // Restarting cleans the half-written save away before anything else.
  bool partial_left = false;
  for (const auto& e : fs::directory_iterator(run / "checkpoints"))
    partial_left |= e.path().filename().string().rfind(".partial", 0) == 0;
  EXPECT_TRUE(partial_left);
  SmallTask again;
  data::ClipLoader loader2({data_file}, spec(), unit_stats(), loader_options());
  train::Trainer(config(), run.string(), single).run(again, loader2, nullptr, true, {}, nullptr);
  for (const auto& e : fs::directory_iterator(run / "checkpoints"))
    EXPECT_NE(e.path().filename().string().rfind(".partial", 0), 0u);
  EXPECT_NE(train::Trainer::latest_checkpoint(run.string()).find("step_00000008"), std::string::npos);
  fs::remove_all(run);
  fs::remove(data_file);
}

TEST(Trainer, ReportsHeldOutLossAndRejectsBadConfigs) {
  auto data_file = dataset("eval");
  train::DataParallel single(train::DistributedEnv{});
  const fs::path run = fs::temp_directory_path() / ("xwam_run_eval_" + std::to_string(::getpid()));
  fs::remove_all(run);
  auto train_opt = loader_options();
  train_opt.holdout_every = 4;
  auto eval_opt = train_opt;
  eval_opt.holdout_split = true;
  data::ClipLoader train_loader({data_file}, spec(), unit_stats(), train_opt);
  data::ClipLoader eval_loader({data_file}, spec(), unit_stats(), eval_opt);
  SmallTask task;
  auto cfg = config();
  cfg.eval_every = 4;
  train::Trainer(cfg, run.string(), single).run(task, train_loader, &eval_loader, false, {}, nullptr);
  int evals = 0;
  for (const auto& j : read_progress(run)) evals += j.contains("eval_loss");
  EXPECT_EQ(evals, 2);  // at step 4 and at the end
  EXPECT_THROW(train::TrainConfig::from_json_text(R"({"stpes": 3})", "cfg.json"), Error);
  EXPECT_THROW(train::TrainConfig::from_json_text(R"({"steps": "many"})", "cfg.json"), Error);
  EXPECT_EQ(train::TrainConfig::from_json_text(R"({"train": {"steps": 7}})", "cfg.json").steps, 7);
  fs::remove_all(run);
  fs::remove(data_file);
}
