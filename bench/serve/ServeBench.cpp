// `xwam bench serve`: policy calls through the released protocol (a client → PolicyBroker → `serve`
// workers over loopback ZeroMQ, pickles both ways) against the same prediction in-process, with 1 and
// 2 servers: round-trip time, time to the action chunk inside the server, requests per second, and the
// protocol's overhead per request (target ≤ 5 ms on loopback).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/io/PickleWriter.h"
#include "engine/pipeline/TrainTasks.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/serve/PolicyBroker.h"
#include "engine/serve/PolicyRequest.h"
#include "engine/serve/PolicyService.h"
#include "engine/serve/PolicyWorker.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// A checkpoint of the preset with random weights and the statistics of a synthetic scene.
std::string random_checkpoint(const std::string& preset) {
  const model::XWamConfig config = model::XWamConfig::preset(preset);
  data::synthetic::GeneratorOptions o;
  o.width = config.image_width();
  o.height = config.image_height();
  o.frames = 16;
  o.arms = 2;
  const std::vector<data::Episode> eps = {data::synthetic::generate_episode(o, 1)};
  pipeline::TaskSettings s;
  s.model = config;
  std::vector<std::string> cameras;
  for (int v = 0; v < config.views; ++v) cameras.push_back(eps[0].cameras[v].name);
  const fs::path dir = fs::temp_directory_path() / ("xwam_bench_serve_" + preset + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pipeline::XWamTrainTask(model::make_networks(s.model), s, {data::NormStats::compute(eps), cameras}, torch::kCPU)
      .save_weights(dir.string());
  return dir.string();
}

// A request as the released clients send it: float32 views in [−1, 1] at the model's size.
std::string make_request(const pipeline::ModelInputs& in, int64_t step) {
  const size_t n = static_cast<size_t>(in.views) * in.height * in.width * 3;
  std::vector<float> video(n);
  for (size_t i = 0; i < n; ++i) video[i] = static_cast<float>((i * 37) % 256) / 127.5f - 1.f;
  std::vector<double> proprios(16);
  for (int d = 0; d < 16; ++d) proprios[d] = 0.5 * (in.stats.state_q01[d] + in.stats.state_q99[d]);
  proprios[3] = proprios[11] = 1.0;  // identity quaternions
  return io::pickle::pickle_dict({{"env_rank", int64_t{0}},
                                  {"rollout_id", int64_t{0}},
                                  {"step_id", step},
                                  {"video", io::pickle::PickleArray::f4({in.views, in.height, in.width, 3}, video)},
                                  {"proprios", io::pickle::PickleArray::f8({16}, proprios)},
                                  {"prompt", io::pickle::PickleStrings{"put the cube in the bowl"}},
                                  {"cfg", 0.0}});
}

}  // namespace

XWAM_BENCH(serve, "Policy calls through broker + `serve` workers vs the same prediction in-process (1 and 2 servers)",
           "xwam bench serve [--checkpoint CKPT | --config tiny|demo] [--steps-action 2] [--steps-video 4]\n"
           "                 [--threads 1] [--repeats 5] [--warmup 1] [--json]\n"
           "  Without --checkpoint: random weights of the preset (default tiny). Each server and the\n"
           "  in-process baseline use --threads CPU threads. repeats = requests per client.",
           {"json"}) {
  const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 5), args.get_int("warmup", 1));
  std::string checkpoint = args.get("checkpoint", "");
  const std::string preset = args.get("config", "tiny");
  serve::ServiceOptions options;
  options.steps_action = static_cast<int>(args.get_int("steps-action", 2));
  options.steps_video = static_cast<int>(args.get_int("steps-video", 4));
  const int threads = static_cast<int>(args.get_int("threads", 1));
  args.flag("json");  // the output is JSON either way
  args.check_all_used();
  if (threads < 1) throw Error("option --threads: expected at least 1");
  pipeline::set_compute_threads(threads);
  if (checkpoint.empty()) checkpoint = random_checkpoint(preset);
  pipeline::EngineOptions engine_options;
  engine_options.checkpoint = checkpoint;

  // Baseline: the same prediction in-process (decoded request, no pickles, no sockets), on an engine
  // of its own, timed alternately with the round trips of the one-server run so that both see the
  // same machine load.
  pipeline::Engine engine = pipeline::Engine::load(engine_options);
  serve::PolicyService service(engine, options);
  const pipeline::ModelInputs inputs = engine.inputs();
  const std::string request = make_request(inputs, 0);
  const serve::PolicyRequest decoded = serve::decode_request(request);

  nlohmann::json out;
  out["benchmark"] = "serve";
  out["baseline"] = "in_process_predict";
  out["repeats"] = timing.repeats;
  out["warmup"] = timing.warmup;
  out["checkpoint"] = args.has("checkpoint") ? checkpoint : "random " + preset;
  out["threads_per_server"] = threads;
  out["target_overhead_ms"] = 5.0;

  std::vector<double> in_process_runs;
  for (int servers : {1, 2}) {
    CancelToken stop;
    serve::PolicyBroker broker("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    std::thread broker_thread([&] { broker.run(&stop, 5); });
    std::vector<std::thread> workers;
    std::vector<double> action_ms, call_ms;  // inside the servers: to the action chunk, the whole call
    std::mutex action_mutex;
    std::atomic<int> ready{0};
    std::atomic<bool> failed{false};
    for (int s = 0; s < servers; ++s)
      workers.emplace_back([&] {
        try {
          pipeline::Engine e = pipeline::Engine::load(engine_options);
          serve::PolicyService svc(e, options);
          svc.on_served = [&](const serve::ServedCall& call) {
            std::lock_guard<std::mutex> lock(action_mutex);
            action_ms.push_back(call.action_ms);
            call_ms.push_back(call.total_ms);
          };
          serve::PolicyWorker worker({broker.backend(), "", 5});
          ++ready;
          worker.run([&](const std::string& r, const serve::WorkItem& item) { return svc.answer(r, item); }, &stop);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "[bench serve] server: %s\n", e.what());
          failed = true;
          ++ready;
        }
      });
    while (ready < servers) std::this_thread::sleep_for(std::chrono::milliseconds(5));

    // One client per server, each sending warm-up then timed requests one after another; the single
    // client of the one-server run also times the in-process prediction before each request.
    std::vector<std::vector<double>> round_trips(servers);
    std::vector<std::thread> clients;
    zmq::context_t context;
    std::atomic<int> started{0};
    auto t_all = std::chrono::steady_clock::now();
    for (int c = 0; c < servers; ++c)
      clients.emplace_back([&, c] {
        zmq::socket_t socket(context, zmq::socket_type::dealer);
        socket.set(zmq::sockopt::linger, 0);
        socket.connect(broker.frontend());
        for (int i = 0; i < timing.warmup + timing.repeats && !failed; ++i) {
          if (i == timing.warmup) {
            ++started;
            while (started < servers) std::this_thread::yield();
            if (c == 0) {  // every warm-up call was reported before its reply went out
              std::lock_guard<std::mutex> lock(action_mutex);
              action_ms.clear();
              call_ms.clear();
              t_all = std::chrono::steady_clock::now();
            }
          }
          if (servers == 1) {
            const auto t_in = std::chrono::steady_clock::now();
            service.predict(decoded);
            if (i >= timing.warmup) in_process_runs.push_back(bench::ms_since(t_in));
          }
          const auto t0 = std::chrono::steady_clock::now();
          socket.send(zmq::buffer(request));
          zmq::multipart_t reply(socket);
          const double ms = bench::ms_since(t0);
          if (reply.empty() || reply.back().to_string().find("error") != std::string::npos) failed = true;
          if (i >= timing.warmup) round_trips[c].push_back(ms);
        }
      });
    for (auto& t : clients) t.join();
    const double wall_ms = bench::ms_since(t_all) - (servers == 1 ? std::accumulate(in_process_runs.begin(), in_process_runs.end(), 0.0) : 0.0);
    stop.cancel();
    for (auto& t : workers) t.join();
    broker_thread.join();
    if (failed) throw Error("bench serve: a server failed or answered with an error (see its log above)");

    std::vector<double> all;
    for (const auto& r : round_trips) all.insert(all.end(), r.begin(), r.end());
    const bench::Timing round_trip = bench::summarize(all);
    const bench::Timing in_process = bench::summarize(in_process_runs);
    nlohmann::json j;
    j["clients"] = servers;
    j["round_trip_ms"] = round_trip.to_json();
    j["server_action_chunk_ms"] = bench::summarize(action_ms).to_json();
    const bench::Timing server_call = bench::summarize(call_ms);
    j["server_call_ms"] = server_call.to_json();
    // Sockets and broker alone: the round trip less the server's whole call (decode, predict, encode).
    j["transport_ms"] = round_trip.median_ms - server_call.median_ms;
    j["requests_per_s"] = 1000.0 * static_cast<double>(all.size()) / wall_ms;
    j["overhead_ms"] = round_trip.median_ms - in_process.median_ms;
    if (servers == 1) out["in_process_ms"] = in_process.to_json();
    out["servers"][std::to_string(servers)] = j;
  }
  out["in_process_requests_per_s"] = 1000.0 / out["in_process_ms"]["median"].get<double>();
  out["overhead_ms"] = out["servers"]["1"]["overhead_ms"];
  out["overhead_within_target"] = out["overhead_ms"].get<double>() <= 5.0;
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
