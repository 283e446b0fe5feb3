// `xwam serve`: a native policy server for the released X-WAM evaluation protocol — joins the
// authors' ZeroMQ broker as one more policy server, or serves clients directly with --bind
// (docs/serve.md). A thin front over engine/serve.
#include <cstdio>
#include <ctime>
#include <optional>

#include "app/cli/Command.h"
#include "app/cli/StopSignal.h"
#include "engine/core/Error.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/serve/PolicyService.h"
#include "engine/serve/PolicyWorker.h"
#include "engine/serve/RequestRecorder.h"

using namespace xwam;

namespace {
std::string clock_text() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(text, sizeof text, "%H:%M:%S", std::localtime(&now));
  return text;
}
}  // namespace

XWAM_COMMAND(serve, "Serve the policy to the released RoboTwin / RoboCasa clients (X-WAM ZeroMQ protocol)",
             "xwam serve --checkpoint CKPT (--broker tcp://HOST:10087 | --bind tcp://*:10086)\n"
             "           [--device cpu|cuda[:N]] [--dtype bfloat16|float16|float32] [--mode xwam|fastwam]\n"
             "           [--steps-action 10] [--steps-video 50] [--record DIR] [--max-request-mb 256]\n"
             "           [--threads N] [--wan-dir DIR]\n"
             "  --broker: join the released broker (evaluation/policy_broker.py) as a policy server (its backend port).\n"
             "  --bind:   serve clients directly, no broker (the broker's frontend role; one server).\n"
             "  Each request is answered with the action chunk the moment it is final (no video, no depth);\n"
             "  a bad request gets {\"error\": ...} and the server goes on. SIGINT/SIGTERM finish the current\n"
             "  request, then exit 0. --record DIR keeps every request and its prediction for the studio.",
             {}) {
  pipeline::EngineOptions engine_options;
  engine_options.checkpoint = args.require("checkpoint");
  engine_options.device = pipeline::device_from_name(args.get("device", "cpu"));
  engine_options.dtype = pipeline::dtype_from_name(args.get("dtype", ""));
  engine_options.wan_dir = args.get("wan-dir", "");
  serve::WorkerOptions worker_options;
  worker_options.broker = args.get("broker", "");
  worker_options.bind = args.get("bind", "");
  if (worker_options.broker.empty() == worker_options.bind.empty())
    throw Error("give exactly one of --broker tcp://HOST:10087 (the released broker's backend) or --bind tcp://*:10086");
  serve::ServiceOptions service_options;
  service_options.mode = pipeline::parse_mode(args.get("mode", "xwam"));
  service_options.steps_action = static_cast<int>(args.get_int("steps-action", 10));
  service_options.steps_video = static_cast<int>(args.get_int("steps-video", 50));
  const long long max_mb = args.get_int("max-request-mb", 256);
  if (max_mb < 1 || max_mb > 65536) throw Error("option --max-request-mb: expected 1 to 65536");
  service_options.limits.max_bytes = static_cast<size_t>(max_mb) << 20;
  const std::string record_dir = args.get("record", "");
  const int threads = static_cast<int>(args.get_int("threads", 0));
  args.check_all_used();
  pipeline::set_compute_threads(threads);

  std::fprintf(stderr, "[serve] loading %s on %s\n", engine_options.checkpoint.c_str(), engine_options.device.name().c_str());
  pipeline::Engine engine = pipeline::Engine::load(engine_options);
  serve::PolicyService service(engine, service_options);
  std::optional<serve::RequestRecorder> recorder;
  if (!record_dir.empty()) {
    recorder.emplace(record_dir, engine);
    service.on_prediction = [&](const serve::PolicyRequest& request, const data::Episode& observation,
                                const pipeline::RolloutRequest& rollout_request, const pipeline::RolloutResult& result) {
      try {
        recorder->record(request, observation, rollout_request, result);
      } catch (const std::exception& e) {  // a full disk does not stop the evaluation
        std::fprintf(stderr, "[serve] not recorded: %s\n", e.what());
      }
    };
  }
  service.on_served = [](const serve::ServedCall& call) {
    const auto& r = call.request;
    if (call.error.empty())
      std::fprintf(stderr, "[serve] %s client %.8s env %lld rollout %lld step %lld: waited %.1f ms, action chunk %.1f ms, total %.1f ms\n",
                   clock_text().c_str(), call.item.client.c_str(), static_cast<long long>(r.env_rank),
                   static_cast<long long>(r.rollout_id), static_cast<long long>(r.step_id), call.item.wait_ms, call.action_ms,
                   call.total_ms);
    else
      std::fprintf(stderr, "[serve] %s client %.8s: waited %.1f ms, refused: %s\n", clock_text().c_str(),
                   call.item.client.c_str(), call.item.wait_ms, call.error.c_str());
  };

  serve::PolicyWorker worker(worker_options);
  const CancelToken* stop = cli::cancel_on_stop_signals();
  std::fprintf(stderr, "[serve] %s %s (%d views of %d × %d, %s arm statistics, mode %s, %d action steps)\n",
               worker_options.broker.empty() ? "serving clients at" : "joined the broker at", worker.endpoint().c_str(),
               engine.inputs().views, engine.inputs().width, engine.inputs().height, service.single_arm() ? "single" : "dual",
               pipeline::mode_name(service_options.mode), service_options.steps_action);
  const int64_t served = worker.run([&](const std::string& request, const serve::WorkItem& item) { return service.answer(request, item); },
                                    stop);
  std::fprintf(stderr, "[serve] stopped after %lld requests\n", static_cast<long long>(served));
  return 0;
}
