// `xwam bench latency`: time to the action chunk and to the full video for each sampling mode, on the
// X-WAM network with random weights, on the CPU or a CUDA device at a chosen precision; sync / async for
// the action chunk is measured in the same run. Every run first encodes a fresh observation (VAE) and
// the instruction (text encoder), so each time is reported from the start of denoising and from before
// the encoding.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "bench/sampling/DeviceReport.h"
#include "engine/core/Error.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/MemoryPlan.h"
#include "engine/model/TextEncoder.h"
#include "engine/model/VideoVae.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/sampling/XWamNetwork.h"

using namespace xwam;

namespace {

model::XWamConfig load_config(const std::string& name) {
  if (std::filesystem::exists(name)) return model::XWamConfig::from_json_file(name);
  return model::XWamConfig::preset(name);
}

nlohmann::json to_json(const std::optional<bench::PeakMemory>& peak) {
  if (!peak) return nullptr;
  return {{"allocated_bytes", peak->allocated_bytes}, {"reserved_bytes", peak->reserved_bytes}};
}

// Token ids and mask of an instruction of `words` tokens (ids drawn from the vocabulary past pad and
// end), padded to the context length: what the tokenizer hands the text encoder.
std::pair<torch::Tensor, torch::Tensor> instruction_tokens(const model::XWamConfig& c, int words, const torch::Device& device) {
  const int64_t L = c.dit.text_len, n = std::min<int64_t>(words, L);
  torch::Tensor ids = torch::zeros({1, L}, torch::kInt64), mask = torch::zeros({1, L}, torch::kBool);
  ids.slice(1, 0, n).copy_(torch::randint(2, c.text.vocab, {1, n}, torch::kInt64));
  if (n < L) ids.index_put_({0, n}, 1);  // end token
  mask.slice(1, 0, std::min<int64_t>(n + 1, L)).fill_(true);
  return {ids.to(device), mask.to(device)};
}

}  // namespace

XWAM_BENCH(latency, "Latency to the action chunk and to the full video per sampling mode (random weights)",
           "xwam bench latency [--config demo|tiny|wan2.2-ti2v-5b|FILE.json] [--steps-action 10] [--steps-video 50]\n"
           "                   [--repeats 3] [--warmup 1] [--threads N] [--device cpu|cuda[:N]]\n"
           "                   [--dtype bfloat16|float16|float32]\n"
           "  --dtype: default bfloat16 on CUDA, float32 on the CPU\n"
           "  each run encodes a fresh observation (VAE) and a new instruction (text encoder) first:\n"
           "  action_ms from the start of denoising, action_with_observation_ms from before the VAE\n"
           "  (a control step with the instruction's context cached), action_with_encode_ms from before both",
           {"json"}) {
  (void)args.flag("json");
  const std::string config_name = args.get("config", "demo");
  const int steps_action = static_cast<int>(args.get_int("steps-action", 10));
  const int steps_video = static_cast<int>(args.get_int("steps-video", 50));
  const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
  const int threads = static_cast<int>(args.get_int("threads", 0));
  const torch::Device device(args.get("device", "cpu"));
  // As rollouts: bfloat16 on a GPU, float32 on the CPU, unless asked otherwise.
  const std::string dtype_name = args.get("dtype", device.is_cuda() ? "bfloat16" : "float32");
  const torch::ScalarType dtype = model::dtype_from_string(dtype_name);
  args.check_all_used();
  if (steps_action < 1 || steps_video < 1) throw Error("options --steps-action and --steps-video must be at least 1");
  pipeline::set_compute_threads(threads);
  if (device.is_cuda() && !torch::cuda::is_available()) throw Error("--device " + device.str(), "no CUDA device is available");

  const model::XWamConfig config = load_config(config_name);
  const auto& c = config;
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  // Placed as a rollout places them (model::make_networks): the X-WAM network on the device in its
  // precision, built block by block; the VAE there in float32; the text encoder there in float32, or on
  // the host in bfloat16 (umT5-xxl next to a GPU). The sampler's state stays float32.
  model::XWamModel net(config, device, dtype);
  net->eval();
  model::VideoVae vae(config.vae);
  vae->to(device);
  vae->eval();
  const bool text_on_host = model::text_encoder_on_host(config, device);
  const torch::Device text_device = text_on_host ? torch::Device(torch::kCPU) : device;
  model::TextEncoder text(config.text, config.dit.text_len, "", text_device, text_on_host ? torch::kBFloat16 : torch::kFloat32);
  text->eval();

  // Inputs as the Predictor gets them: O_0 of every view in [−1, 1] and s_0 in host memory, the
  // instruction as tokens. The empty prompt's context (guidance's unconditional pass) is computed once,
  // as the Predictor caches it.
  const torch::Tensor observation = torch::rand({1, c.views, 3, 1, c.image_height(), c.image_width()}) * 2 - 1;
  const torch::Tensor state = torch::randn({1, 1, c.state_dim});
  const auto instruction = instruction_tokens(c, 12, text_device), empty = instruction_tokens(c, 0, text_device);
  const auto encode_text = [&](const std::pair<torch::Tensor, torch::Tensor>& tokens) {
    return text->forward(tokens.first, tokens.second).to(torch::kFloat32).to(device);
  };
  const torch::Tensor empty_context = encode_text(empty);

  nlohmann::json modes = nlohmann::json::object();
  uint64_t seed = 0;
  for (auto mode : {sampling::Mode::XWam, sampling::Mode::Sync, sampling::Mode::FastWam, sampling::Mode::ActionConditioned}) {
    const auto plan = sampling::DenoisePlan::make({mode, steps_action, steps_video, 5.0});
    int depth_calls_before_action = 0, calls = 0;
    bench::reset_peak_memory(device);
    const auto times = bench::time_split_runs(timing, [&](bench::SplitTimes& t) {
      using Clock = std::chrono::steady_clock;
      // Encoding, each part waited for so that the next clock starts clean.
      const auto t_observation = Clock::now();
      sampling::Conditions cond;
      const torch::Tensor rgb = observation.to(device);
      const torch::Tensor z = vae->encode(rgb.flatten(0, 1));  // views batched: [V, C, 1, h, w]
      cond.video = z.view({1, c.views, z.size(1), z.size(2), z.size(3), z.size(4)});
      cond.state = state.to(device);
      bench::synchronize(device);
      const auto t_instruction = Clock::now();
      cond.text = encode_text(instruction);
      cond.empty_text = empty_context;
      bench::synchronize(device);
      const double instruction_ms = bench::ms_since(t_instruction);
      t["encode_observation_ms"] = std::chrono::duration<double, std::milli>(t_instruction - t_observation).count();
      t["encode_instruction_ms"] = instruction_ms;

      // Denoising. The chunk is out once it is in host memory, where a controller takes it; on a GPU
      // this also waits for the kernels queued so far, which the denoiser's own clock does not.
      const auto t_denoise = Clock::now();
      sampling::XWamNetwork network(net, cond);
      sampling::Tokens start = network.start_noise(1, seed++, plan.future_video);
      if (mode == sampling::Mode::ActionConditioned) start.action = torch::zeros_like(start.action);
      bool action_out = false;
      depth_calls_before_action = 0;
      sampling::DenoiseCallbacks cb;
      // Time before the instruction's encoding counts only the VAE: a control step with the context cached.
      const auto split = [&](const std::string& name) {
        const double denoise_ms = bench::ms_since(t_denoise);
        const double observation_ms = t["encode_observation_ms"];
        t[name + "_ms"] = denoise_ms;
        t[name + "_with_observation_ms"] = denoise_ms + observation_ms;
        t[name + "_with_encode_ms"] = denoise_ms + observation_ms + instruction_ms;
      };
      cb.on_action_ready = [&](const sampling::Tokens& tokens, double) {
        const torch::Tensor on_host = tokens.action.to(torch::kCPU);
        split("action");
        action_out = true;
      };
      cb.on_call = [&](const sampling::PlannedCall& call, double) {
        if (call.depth && !action_out && plan.action_ready_call >= 0) ++depth_calls_before_action;
      };
      const auto result = sampling::denoise(network, plan, start, sampling::SolverKind::UniPC, 1.0, cb, nullptr);
      bench::synchronize(device);
      split("total");
      if (plan.future_video) split("video");
      calls = result.network_calls;
    });
    nlohmann::json m = {{"network_calls", calls},
                        {"depth_calls_before_action", depth_calls_before_action},
                        {"peak_memory", to_json(bench::peak_memory(device))}};
    for (const auto& [name, timing_ms] : times) m[name] = timing_ms.to_json();
    modes[sampling::to_string(mode)] = m;
  }
  const auto median = [&](const char* mode, const char* key) { return modes[mode][key]["median"].get<double>(); };
  nlohmann::json out = {{"benchmark", "latency"},
                        {"config", config.name},
                        {"device", bench::describe_device(device)},
                        {"dtype", dtype_name},
                        {"text_encoder", {{"kind", config.text.kind}, {"device", bench::describe_device(text_device)}}},
                        {"tokens", config.tokens()},
                        {"parameters", model::count_parameters(config).total()},
                        {"steps_action", steps_action},
                        {"steps_video", steps_video},
                        {"warmup", timing.warmup},
                        {"repeats", timing.repeats},
                        {"modes", modes},
                        {"baseline", "sync"},
                        {"sync_over_xwam_action_ms", median("sync", "action_ms") / median("xwam", "action_ms")},
                        {"sync_over_xwam_action_with_encode_ms",
                         median("sync", "action_with_encode_ms") / median("xwam", "action_with_encode_ms")}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
