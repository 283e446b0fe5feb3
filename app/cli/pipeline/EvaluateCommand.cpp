// `xwam evaluate`: scores a checkpoint on held-out data per sampling mode — open-loop prediction
// metrics against the recording (with the repeat-last-frame / zero-action baseline) and closed-loop
// task success in the synthetic simulator (with the expert and do-nothing policies as bounds).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/Command.h"
#include "app/cli/Progress.h"
#include "app/cli/StopSignal.h"
#include "engine/core/Error.h"
#include "engine/model/MemoryPlan.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/PolicyEvaluation.h"
#include "engine/pipeline/ReconstructionEvaluation.h"
#include "engine/pipeline/api/Engine.h"

using namespace xwam;
using nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}


json closed_loop_json(const data::synthetic::ClosedLoopReport& r) {
  json tasks = json::object();
  for (const auto& [task, t] : r.per_task)
    tasks[task] = {{"successes", t.successes}, {"episodes", t.episodes},
                   {"success_rate", t.episodes ? double(t.successes) / t.episodes : 0.0}};
  return {{"policy", r.policy}, {"success_rate", r.success_rate()}, {"per_task", tasks}};
}

}  // namespace

XWAM_COMMAND(evaluate, "Score a checkpoint on held-out episodes: prediction metrics and closed-loop success per mode",
             "xwam evaluate --checkpoint CKPT --scene HELDOUT.h5 [--modes xwam,sync,fastwam] [--starts 0,16]\n"
             "              [--closed-loop N] [--seed S] [--execute K] [--steps-action 10] [--steps-video 50]\n"
             "              [--threads N] [--device cpu|cuda[:N]] [--dtype bfloat16|float16|float32] [--wan-dir DIR] [--json]\n"
             "              [--reconstruction]\n"
             "  CKPT: as for `xwam rollout` (--wan-dir: the Wan2.2 folder with the umT5 tokenizer a released run lacks).\n"
             "  Open loop: a rollout from each start frame of every episode, scored against the recording.\n"
             "  Closed loop: N synthetic scenes from seed S on (default 5000, never used for training data),\n"
             "  the policy's chunks executed K actions at a time (0 = whole chunks).\n"
             "  --reconstruction: also the VAE alone on the same clips (decode(encode(x)) against x: RGB PSNR/SSIM,\n"
             "  depth AbsRel/δ1), the ceiling of every predicted frame. `--modes ''` skips the rollouts.",
             {"json", "reconstruction"}) {
  const std::string checkpoint = args.require("checkpoint");
  const std::string scene = args.require("scene");
  const auto modes = split(args.get("modes", "xwam,sync,fastwam"));
  std::vector<int> starts;
  for (const auto& s : split(args.get("starts", "0,16"))) starts.push_back(std::stoi(s));
  const int closed_loop = static_cast<int>(args.get_int("closed-loop", 16));
  const uint64_t seed0 = static_cast<uint64_t>(args.get_int("seed", 5000));
  const int execute = static_cast<int>(args.get_int("execute", 0));
  pipeline::RolloutRequest request;
  request.steps_action = static_cast<int>(args.get_int("steps-action", 10));
  request.steps_video = static_cast<int>(args.get_int("steps-video", 50));
  const int threads = static_cast<int>(args.get_int("threads", 0));
  const std::string wan_dir = args.get("wan-dir", "");
  const torch::Device device = pipeline::parse_device(args.get("device", "cpu"));
  const torch::ScalarType dtype = pipeline::parse_dtype(args.get("dtype", ""), device);
  const bool json_out = args.flag("json");
  const bool reconstruction = args.flag("reconstruction");
  args.check_all_used();
  pipeline::set_compute_threads(threads);
  const CancelToken* stop = cli::cancel_on_stop_signals();
  const ProgressFn progress = cli::progress_printer();

  pipeline::Predictor predictor = pipeline::Predictor::load(checkpoint, device, wan_dir, dtype);
  data::synthetic::ClosedLoopOptions loop;
  loop.execute_per_chunk = execute;
  std::vector<uint64_t> seeds;
  for (int i = 0; i < closed_loop; ++i) seeds.push_back(seed0 + i);

  json report = {{"checkpoint", predictor.origin()}, {"device", device.str()}, {"dtype", model::dtype_name(dtype)},
                 {"scene", scene}, {"starts", starts},
                 {"closed_loop_seeds", {seed0, seed0 + closed_loop}}, {"modes", json::object()}};
  try {
    if (reconstruction) {
      const pipeline::ReconstructionScores r = pipeline::evaluate_reconstruction(predictor, scene, starts, progress, stop);
      report["reconstruction"] = {{"clips", r.clips}, {"images", r.images}, {"rgb_psnr", geometry::metric_json(r.rgb_psnr)},
                                  {"rgb_ssim", r.rgb_ssim}, {"depth_images", r.depth_images},
                                  {"depth_absrel", r.depth_absrel}, {"depth_delta1", r.depth_delta1},
                                  {"depth_unscored_cameras", r.unmapped_depth_cameras}};
      for (const std::string& camera : r.unmapped_depth_cameras)
        std::fprintf(stderr, "[evaluate] camera '%s': depth encoded, no metric mapping; not in the depth scores\n",
                     camera.c_str());
      std::fprintf(stderr, "[evaluate] VAE reconstruction: RGB PSNR %.2f dB, SSIM %.3f; depth AbsRel %.4f over %d clips\n",
                   r.rgb_psnr, r.rgb_ssim, r.depth_absrel, r.clips);
    }
    for (const auto& mode : modes) {
      request.mode = pipeline::parse_mode(mode, "--modes");
      const pipeline::OpenLoopScores open = pipeline::evaluate_open_loop(predictor, scene, request, starts, progress, stop);
      json entry = {{"open_loop", {{"rollouts", open.rollouts}, {"prediction", geometry::metrics_json(open.prediction)},
                                   {"copy_last_zero_action", geometry::metrics_json(open.copy_last)}}},
                    {"action_ms", geometry::metric_json(open.action_ms)}, {"video_ms", geometry::metric_json(open.video_ms)}};
      if (closed_loop > 0) {
        auto make = [&](const data::synthetic::SceneSpec&) {
          return std::make_unique<pipeline::XWamPolicy>(predictor, request, execute);
        };
        entry["closed_loop"] = closed_loop_json(data::synthetic::evaluate_closed_loop(make, loop, seeds, progress, stop));
      }
      report["modes"][mode] = entry;
      std::fprintf(stderr, "[evaluate] %s: PSNR %.2f (copy-last %.2f), action MSE %.5f (zero %.5f)\n", mode.c_str(),
                   open.prediction.rgb_psnr, open.copy_last.rgb_psnr, open.prediction.action_mse, open.copy_last.action_mse);
    }
    if (closed_loop > 0) {
      const int frames = loop.generator.frames;
      report["baselines"] = {
          {"expert", closed_loop_json(data::synthetic::evaluate_closed_loop(
                         [&](const data::synthetic::SceneSpec& s) { return data::synthetic::make_expert_policy(s, frames); },
                         loop, seeds, progress, stop))},
          {"zero_action", closed_loop_json(data::synthetic::evaluate_closed_loop(
                              [](const data::synthetic::SceneSpec&) { return data::synthetic::make_zero_policy(); }, loop,
                              seeds, progress, stop))}};
    }
  } catch (const Cancelled&) {
    std::fprintf(stderr, "[evaluate] cancelled\n");
    return 130;
  }
  if (json_out) std::printf("%s\n", report.dump(2).c_str());
  return 0;
}
