// `xwam bench latency`: time to the action chunk and to the full video for each sampling mode, on the
// X-WAM network with random weights, on the CPU or a CUDA device at a chosen precision; sync / async for
// the action chunk is measured in the same run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/Command.h"
#include "bench/sampling/DeviceReport.h"
#include "engine/core/Error.h"
#include "engine/model/MemoryPlan.h"
#include "engine/sampling/XWamNetwork.h"

using namespace xwam;

namespace {

model::XWamConfig load_config(const std::string& name) {
  if (std::filesystem::exists(name)) return model::XWamConfig::from_json_file(name);
  return model::XWamConfig::preset(name);
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json to_json(const std::optional<bench::PeakMemory>& peak) {
  if (!peak) return nullptr;
  return {{"allocated_bytes", peak->allocated_bytes}, {"reserved_bytes", peak->reserved_bytes}};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

XWAM_BENCH(latency, "Latency to the action chunk and to the full video per sampling mode (random weights)",
           "xwam bench latency [--config demo|tiny|wan2.2-ti2v-5b|FILE.json] [--steps-action 10] [--steps-video 50]\n"
           "                   [--repeats 3] [--threads N] [--device cpu|cuda[:N]] [--dtype bfloat16|float16|float32]\n"
           "  --dtype: default bfloat16 on CUDA, float32 on the CPU",
           {"json"}) {
  (void)args.flag("json");
  const std::string config_name = args.get("config", "demo");
  const int steps_action = static_cast<int>(args.get_int("steps-action", 10));
  const int steps_video = static_cast<int>(args.get_int("steps-video", 50));
  const int repeats = static_cast<int>(args.get_int("repeats", 3));
  const int threads = static_cast<int>(args.get_int("threads", 0));
  const torch::Device device(args.get("device", "cpu"));
  // As rollouts: bfloat16 on a GPU, float32 on the CPU, unless asked otherwise.
  const std::string dtype_name = args.get("dtype", device.is_cuda() ? "bfloat16" : "float32");
  const torch::ScalarType dtype = model::dtype_from_string(dtype_name);
  args.check_all_used();
  if (threads > 0) torch::set_num_threads(threads);
  if (device.is_cuda() && !torch::cuda::is_available()) throw Error("--device " + device.str(), "no CUDA device is available");

  const model::XWamConfig config = load_config(config_name);
  torch::manual_seed(0);
  // Built on the device in its precision block by block, as a checkpoint loads (model::Placement);
  // the sampler's state stays float32, as in a rollout.
  model::XWamModel net(config, device, dtype);
  net->eval();
  const auto options = torch::TensorOptions().device(device);
  const auto& c = config;
  sampling::Conditions cond;
  cond.video = torch::randn({1, c.views, c.dit.in_dim, 1, c.latent_height, c.latent_width}).to(options);
  cond.state = torch::randn({1, 1, c.state_dim}).to(options);
  cond.text = torch::randn({1, 16, c.dit.text_dim}).to(options);
  cond.empty_text = torch::zeros_like(cond.text);
  sampling::XWamNetwork network(net, cond);

  // One short untimed run per mode, so that first-call work (allocations, the GPU's kernel choice for
  // each sequence length: Fast-WAM's is shorter) lands on no timed run.
  for (auto mode : {sampling::Mode::XWam, sampling::Mode::FastWam}) {
    const auto warm = sampling::DenoisePlan::make({mode, 2, 2, 5.0});
    sampling::denoise(network, warm, network.start_noise(1, 99, warm.future_video), sampling::SolverKind::UniPC, 1.0, {},
                      nullptr);
    bench::synchronize(device);
  }
  nlohmann::json modes = nlohmann::json::object();
  for (auto mode : {sampling::Mode::XWam, sampling::Mode::Sync, sampling::Mode::FastWam, sampling::Mode::ActionConditioned}) {
    const auto plan = sampling::DenoisePlan::make({mode, steps_action, steps_video, 5.0});
    std::vector<double> action_ms, video_ms;
    int depth_calls_before_action = 0, calls = 0;
    bench::reset_peak_memory(device);
    for (int r = 0; r < repeats; ++r) {
      sampling::Tokens start = network.start_noise(1, static_cast<uint64_t>(r), plan.future_video);
      if (mode == sampling::Mode::ActionConditioned) start.action = torch::zeros_like(start.action);
      bool action_out = false;
      sampling::DenoiseCallbacks cb;
      // The chunk is out once it is in host memory, where a controller takes it; on a GPU this also
      // waits for the kernels queued so far, which the denoiser's own clock does not.
      const auto t0 = std::chrono::steady_clock::now();
      cb.on_action_ready = [&](const sampling::Tokens& tokens, double) {
        const torch::Tensor on_host = tokens.action.to(torch::kCPU);
        action_ms.push_back(ms_since(t0));
        action_out = true;
      };
      cb.on_call = [&](const sampling::PlannedCall& call, double) {
        if (call.depth && !action_out && plan.action_ready_call >= 0) ++depth_calls_before_action;
      };
      auto result = sampling::denoise(network, plan, start, sampling::SolverKind::UniPC, 1.0, cb, nullptr);
      bench::synchronize(device);
      video_ms.push_back(ms_since(t0));
      calls = result.network_calls;
    }
    nlohmann::json m = {{"network_calls", calls}, {"total_ms", median(video_ms)},
                        {"depth_calls_before_action", depth_calls_before_action / repeats},
                        {"peak_memory", to_json(bench::peak_memory(device))}};
    if (!action_ms.empty()) m["action_ms"] = median(action_ms);
    if (plan.future_video) m["video_ms"] = median(video_ms);
    modes[sampling::to_string(mode)] = m;
  }
  const double ratio = modes["sync"]["action_ms"].get<double>() / modes["xwam"]["action_ms"].get<double>();
  nlohmann::json out = {{"benchmark", "latency"},
                        {"config", config.name},
                        {"device", bench::describe_device(device)},
                        {"dtype", dtype_name},
                        {"tokens", config.tokens()},
                        {"parameters", model::count_parameters(config).total()},
                        {"steps_action", steps_action},
                        {"steps_video", steps_video},
                        {"repeats", repeats},
                        {"modes", modes},
                        {"baseline", "sync"},
                        {"sync_over_xwam_action_ms", ratio}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
