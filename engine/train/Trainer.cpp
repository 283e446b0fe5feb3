#include "engine/train/Trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/RunFolder.h"

namespace xwam::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

uint64_t step_seed(uint64_t seed, int64_t step, int rank, int micro) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step) * 0xBF58476D1CE4E5B9ull +
               static_cast<uint64_t>(rank) * 0x94D049BB133111EBull + static_cast<uint64_t>(micro);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  return z ^ (z >> 27);
}

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step_%08lld", static_cast<long long>(step));
  return buf;
}

void write_text_atomically(const std::string& path, const std::string& text) {
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path());
    f << text;
    if (!f) throw Error(path, "cannot write (disk full?)");
  }
  out.commit();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void set_lr(torch::optim::AdamW& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

}  // namespace

Trainer::Trainer(TrainConfig config, std::string run_dir, DataParallel& parallel)
    : config_(std::move(config)), run_dir_(std::move(run_dir)), parallel_(parallel) {}

std::string to_json_line(const StepReport& r) {
  json j = {{"step", r.step}, {"total_steps", r.total_steps}};
  if (r.eval_loss) {
    j["eval_loss"] = *r.eval_loss;
  } else if (!r.checkpoint.empty()) {
    j["checkpoint"] = r.checkpoint;
  } else {
    j["loss"] = r.loss;
    for (const auto& [k, v] : r.parts) j["loss_" + k] = v;
    j["lr"] = r.lr;
    j["grad_norm"] = r.grad_norm;
    j["samples_per_s"] = r.samples_per_s;
    j["eta_s"] = r.eta_s;
  }
  return j.dump();
}

std::string Trainer::latest_checkpoint(const std::string& run_dir) {
  const fs::path latest = fs::path(run_dir) / "checkpoints" / "latest";
  if (!fs::exists(latest)) return "";
  std::string name = read_text(latest.string());
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  const fs::path dir = fs::path(run_dir) / "checkpoints" / name;
  if (!fs::is_directory(dir)) throw Error(latest.string(), "points at missing checkpoint " + name);
  return dir.string();
}

void Trainer::run(TrainTask& task, data::ClipLoader& train, data::ClipLoader* eval, bool resume,
                  const TrainerHooks& hooks, const CancelToken* cancel) {
  const fs::path run = run_dir_;
  const fs::path ckpt_root = run / "checkpoints";
  if (parallel_.is_main()) {
    claim_run_folder(run_dir_, resume);
    fs::create_directories(ckpt_root);
    // Leftovers of a save that was interrupted are never valid checkpoints.
    for (const auto& entry : fs::directory_iterator(ckpt_root))
      if (entry.path().filename().string().rfind(".partial", 0) == 0) fs::remove_all(entry.path());
    write_text_atomically((run / "config.json").string(), config_.to_json());
  }
  parallel_.barrier();

  std::vector<torch::Tensor> params = task.parameters();
  torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(config_.lr)
                                            .betas({config_.beta1, config_.beta2})
                                            .eps(config_.eps)
                                            .weight_decay(config_.weight_decay));
  std::vector<torch::Tensor> ema;
  if (config_.ema_decay > 0)
    for (auto& p : params) ema.push_back(p.detach().clone());
  const LrSchedule schedule{config_.lr, config_.warmup_steps, config_.steps, config_.final_lr};

  int64_t step = 0;
  if (resume) {
    const std::string dir = latest_checkpoint(run_dir_);
    if (dir.empty()) throw Error(run_dir_, "--resume given but the run has no checkpoint yet");
    task.load_weights((fs::path(dir) / "weights").string());
    try {
      torch::load(optimizer, (fs::path(dir) / "optimizer.pt").string());
      if (!ema.empty()) torch::load(ema, (fs::path(dir) / "ema.pt").string());
    } catch (const c10::Error& e) {
      throw Error(dir, std::string("cannot restore optimizer/EMA state: ") + e.what_without_backtrace());
    }
    const std::string state_path = (fs::path(dir) / "state.json").string();
    const json state = json_fields::parse(read_text(state_path), state_path);
    auto count = [&](const char* key) {
      if (!state.contains(key)) throw Error(state_path, std::string("key ") + key, "missing");
      return json_fields::integer<int64_t>(state.at(key), state_path, key, 0);
    };
    step = count("step");
    train.seek({count("loader_epoch"), count("loader_batch")});
  } else {
    // Every rank starts from rank 0's initialization.
    parallel_.broadcast(params);
    if (!ema.empty())
      for (size_t i = 0; i < params.size(); ++i) ema[i].copy_(params[i].detach());
  }

  std::ofstream progress;
  if (parallel_.is_main()) progress.open(run / "progress.jsonl", resume ? std::ios::app : std::ios::trunc);
  auto report = [&](const StepReport& r) {
    if (parallel_.is_main()) {
      progress << to_json_line(r) << "\n" << std::flush;
    }
    if (hooks.on_report) hooks.on_report(r);
  };

  auto save = [&](int64_t at_step) {
    if (parallel_.is_main()) {
      const std::string name = checkpoint_name(at_step);
      const fs::path partial = ckpt_root / (".partial_" + name);
      fs::remove_all(partial);
      fs::create_directories(partial / "weights");
      task.save_weights((partial / "weights").string());
      torch::save(optimizer, (partial / "optimizer.pt").string());
      if (!ema.empty()) torch::save(ema, (partial / "ema.pt").string());
      const auto pos = train.position();
      json state = {{"step", at_step}, {"loader_epoch", pos.epoch}, {"loader_batch", pos.batch},
                    {"world_size", parallel_.world_size()}};
      std::ofstream(partial / "state.json") << state.dump(2);
      const fs::path final_dir = ckpt_root / name;
      fs::remove_all(final_dir);
      fs::rename(partial, final_dir);
      write_text_atomically((ckpt_root / "latest").string(), name + "\n");
      // Keep the newest few complete checkpoints.
      std::vector<fs::path> all;
      for (const auto& e : fs::directory_iterator(ckpt_root))
        if (e.is_directory() && e.path().filename().string().rfind("step_", 0) == 0) all.push_back(e.path());
      std::sort(all.begin(), all.end());
      for (size_t i = 0; i + static_cast<size_t>(std::max(1, config_.keep_checkpoints)) < all.size(); ++i)
        fs::remove_all(all[i]);
      StepReport r;
      r.step = at_step;
      r.total_steps = config_.steps;
      r.checkpoint = final_dir.string();
      report(r);
    }
    parallel_.barrier();
  };

  auto evaluate = [&](int64_t at_step) {
    if (!eval) return;
    task.train_mode(false);
    torch::NoGradGuard no_grad;
    double sum = 0;
    int batches = 0;
    eval->seek({0, 0});
    while (auto batch = eval->next()) sum += task.loss(*batch, step_seed(config_.seed ^ 0xE7A1ull, batches++, 0, 0)).total.item<double>();
    task.train_mode(true);
    StepReport r;
    r.step = at_step;
    r.total_steps = config_.steps;
    r.eval_loss = parallel_.average(batches ? sum / batches : 0.0);
    report(r);
  };

  task.train_mode(true);
  auto t_window = std::chrono::steady_clock::now();
  int64_t samples_window = 0;
  int64_t last_saved = step;
  while (step < config_.steps) {
    if (cancel && cancel->cancelled()) {
      if (step > last_saved) save(step);
      throw Cancelled{};
    }
    const double lr = schedule.at(step);
    set_lr(optimizer, lr);
    optimizer.zero_grad();
    double loss_sum = 0;
    std::map<std::string, double> parts;
    for (int micro = 0; micro < config_.grad_accumulation; ++micro) {
      auto batch = train.next();
      if (!batch) throw Error("training data ended unexpectedly");
      LossTerms terms = task.loss(*batch, step_seed(config_.seed, step, parallel_.rank(), micro));
      if (!std::isfinite(terms.total.item<double>()))
        throw Error("loss became non-finite at step " + std::to_string(step) + " (lower the learning rate?)");
      (terms.total / config_.grad_accumulation).backward();
      loss_sum += terms.total.item<double>() / config_.grad_accumulation;
      for (const auto& [k, v] : terms.parts) parts[k] += v / config_.grad_accumulation;
      samples_window += static_cast<int64_t>(batch->size()) * parallel_.world_size();
    }
    parallel_.average_gradients(params);
    double grad_norm = 0;
    if (config_.grad_clip > 0) {
      grad_norm = torch::nn::utils::clip_grad_norm_(params, config_.grad_clip);
    }
    optimizer.step();
    if (!ema.empty()) {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < params.size(); ++i) ema[i].mul_(config_.ema_decay).add_(params[i].detach(), 1.0 - config_.ema_decay);
    }
    ++step;

    if (config_.log_every > 0 && (step % config_.log_every == 0 || step == config_.steps)) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_window).count();
      StepReport r;
      r.step = step;
      r.total_steps = config_.steps;
      r.loss = parallel_.average(loss_sum);
      for (auto& [k, v] : parts) r.parts[k] = parallel_.average(v);
      r.lr = lr;
      r.grad_norm = grad_norm;
      r.samples_per_s = secs > 0 ? samples_window / secs : 0;
      const double steps_per_s = secs > 0 ? static_cast<double>(config_.log_every) / secs : 0;
      r.eta_s = steps_per_s > 0 ? (config_.steps - step) / steps_per_s : 0;
      report(r);
      t_window = std::chrono::steady_clock::now();
      samples_window = 0;
    }
    if (config_.eval_every > 0 && step % config_.eval_every == 0 && step < config_.steps) evaluate(step);
    if ((config_.checkpoint_every > 0 && step % config_.checkpoint_every == 0) || step == config_.steps) {
      save(step);
      last_saved = step;
    }
  }
  evaluate(step);
}

}  // namespace xwam::train
