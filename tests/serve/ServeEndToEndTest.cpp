// `xwam serve` end to end over loopback ZeroMQ: the released broker's dispatch (PolicyBroker), two
// policy servers on the tiny checkpoint and two clients sending the golden requests plus bad ones.
// Every request is answered exactly once, results decode as numpy arrays of the documented shapes,
// bad requests get {"error": ...} and the servers go on; --bind serves DEALER and REQ clients; a
// server re-announces itself to a broker that restarts.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/io/Pickle.h"
#include "engine/pipeline/TrainTasks.h"
#include "engine/serve/PolicyBroker.h"
#include "engine/serve/PolicyService.h"
#include "engine/serve/PolicyWorker.h"
#include "engine/serve/RequestRecorder.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(XWAM_SOURCE_DIR) + "/tests/serve/fixtures/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The tiny preset with fresh weights and one-arm statistics (the synthetic scenes move one arm).
const std::string& tiny_checkpoint() {
  static const std::string dir = [] {
    data::synthetic::GeneratorOptions o;
    o.width = o.height = 32;
    o.frames = 16;
    const std::vector<data::Episode> eps = {data::synthetic::generate_episode(o, 5)};
    pipeline::TaskSettings s;
    s.model = model::XWamConfig::preset("tiny");
    torch::manual_seed(3);
    const fs::path d = fs::temp_directory_path() / ("xwam_serve_ckpt_" + std::to_string(::getpid()));
    fs::remove_all(d);
    pipeline::XWamTrainTask(model::make_networks(s.model), s, {data::NormStats::compute(eps), {"main", "side"}}, torch::kCPU)
        .save_weights(d.string());
    return d.string();
  }();
  return dir;
}

pipeline::Engine load_engine() {
  pipeline::EngineOptions o;
  o.checkpoint = tiny_checkpoint();
  return pipeline::Engine::load(o);
}

serve::ServiceOptions quick() {
  serve::ServiceOptions o;
  o.steps_action = 2;
  o.steps_video = 4;
  return o;
}

// A policy server on its own thread; counts what it answered.
struct Server {
  std::atomic<int> answered{0};
  CancelToken stop;
  std::thread thread;
  std::atomic<bool> up{false};

  explicit Server(const serve::WorkerOptions& options, std::string* bound = nullptr) {
    std::atomic<bool> ready{false};
    thread = std::thread([this, options, bound, &ready] {
      try {
        pipeline::Engine engine = load_engine();
        serve::PolicyService service(engine, quick());
        serve::PolicyWorker worker(options);
        if (bound) *bound = worker.endpoint();
        ready = true;
        worker.run(
            [&](const std::string& request, const serve::WorkItem& item) {
              ++answered;
              return service.answer(request, item);
            },
            &stop);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "server: " << e.what();
        ready = true;
      }
    });
    while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Server() {
    stop.cancel();
    thread.join();
  }
};

struct Broker {
  serve::PolicyBroker broker;
  CancelToken stop;
  std::thread thread;
  explicit Broker(const std::string& frontend = "tcp://127.0.0.1:*", const std::string& backend = "tcp://127.0.0.1:*")
      : broker(frontend, backend), thread([this] { broker.run(&stop, 10); }) {}
  ~Broker() {
    stop.cancel();
    thread.join();
  }
};

// The reply to one request (empty after `timeout_ms`).
std::string ask(zmq::socket_t& socket, const std::string& request, bool req_socket = false, int timeout_ms = 60000) {
  socket.send(zmq::buffer(request));
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms)) == 0) return "";
  zmq::multipart_t reply(socket);
  return reply.empty() ? "" : reply.back().to_string();
}

// The decoded result dict: key → value.
std::map<std::string, io::pickle::ValuePtr> decode(const std::string& bytes) {
  const auto root = io::pickle::unpickle(bytes.data(), bytes.size(), nullptr, "result", &io::pickle::numpy_array_globals());
  std::map<std::string, io::pickle::ValuePtr> out;
  for (const auto& [k, v] : root->dict) out[k->text] = v;
  return out;
}

}  // namespace

TEST(ServeEndToEnd, BrokerTwoServersTwoClients) {
  Broker broker;
  Server a({broker.broker.backend(), ""}), b({broker.broker.backend(), ""});
  const pipeline::ModelInputs inputs = load_engine().inputs();
  const std::string good = fixture("request_p4.pkl");
  const std::vector<std::string> requests = {good, "not a pickle", fixture("request_p5.pkl"), fixture("bad_views3.pkl"),
                                             fixture("bad_exploit.pkl"), fixture("request_np2_p2.pkl")};
  std::vector<std::vector<std::string>> replies(2);
  std::vector<std::thread> clients;
  zmq::context_t context;
  for (int c = 0; c < 2; ++c)
    clients.emplace_back([&, c] {
      zmq::socket_t socket(context, zmq::socket_type::dealer);
      socket.set(zmq::sockopt::linger, 0);
      socket.connect(broker.broker.frontend());
      for (const auto& r : requests) replies[c].push_back(ask(socket, r));
      // Nothing more arrives: every request was answered once.
      zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
      EXPECT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(300)), 0);
    });
  for (auto& t : clients) t.join();

  EXPECT_EQ(a.answered + b.answered, 2 * static_cast<int>(requests.size()));
  EXPECT_EQ(broker.broker.dispatched(), 2 * static_cast<int64_t>(requests.size()));
  for (int c = 0; c < 2; ++c) {
    ASSERT_EQ(replies[c].size(), requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      SCOPED_TRACE("client " + std::to_string(c) + " request " + std::to_string(i));
      ASSERT_FALSE(replies[c][i].empty());
      const auto result = decode(replies[c][i]);
      const bool bad = i == 1 || i == 3 || i == 4;
      if (bad) {
        ASSERT_TRUE(result.count("error"));
        EXPECT_EQ(result.at("error")->kind, io::pickle::Value::Kind::String);
        continue;
      }
      ASSERT_TRUE(result.count("actions") && result.count("proprios")) << replies[c][i];
      // One-arm statistics: 7 actions per step as the released server returns for RoboCasa.
      EXPECT_EQ(result.at("actions")->shape, (std::vector<int64_t>{inputs.num_actions, 7}));
      EXPECT_EQ(result.at("proprios")->shape, (std::vector<int64_t>{inputs.future_frames, 16}));
      EXPECT_EQ(result.at("actions")->dtype, "<f8");
      // The seed comes from (env_rank, rollout_id, step_id): the same request, the same answer on any server.
      EXPECT_EQ(replies[c][i], replies[0][0]);
    }
  }
  const auto error = decode(replies[0][3]).at("error")->text;
  EXPECT_NE(error.find("3 views, the checkpoint takes 2"), std::string::npos) << error;
  EXPECT_NE(decode(replies[0][4]).at("error")->text.find("forbidden global"), std::string::npos);
}

TEST(ServeEndToEnd, BindServesDealerAndReqClients) {
  std::string endpoint;
  Server server({"", "tcp://127.0.0.1:*"}, &endpoint);
  zmq::context_t context;
  zmq::socket_t dealer(context, zmq::socket_type::dealer), req(context, zmq::socket_type::req);
  for (auto* s : {&dealer, &req}) {
    s->set(zmq::sockopt::linger, 0);
    s->connect(endpoint);
  }
  const std::string a = ask(dealer, fixture("request_p2.pkl")), b = ask(req, fixture("request_p3.pkl"));
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_TRUE(decode(a).count("actions"));
  EXPECT_TRUE(decode(ask(req, "garbage")).count("error"));
  EXPECT_EQ(server.answered, 3);
}

TEST(ServeEndToEnd, ServerRejoinsARestartedBroker) {
  std::string backend, frontend;
  std::unique_ptr<Server> server;
  {
    Broker first;
    backend = first.broker.backend();
    frontend = first.broker.frontend();
    server = std::make_unique<Server>(serve::WorkerOptions{backend, ""});
    zmq::context_t context;
    zmq::socket_t client(context, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.connect(frontend);
    ASSERT_FALSE(ask(client, "garbage").empty());
  }
  // The same ports again: a new broker knows no server until the worker says READY again.
  Broker second(frontend, backend);
  zmq::context_t context;
  zmq::socket_t client(context, zmq::socket_type::dealer);
  client.set(zmq::sockopt::linger, 0);
  client.connect(frontend);
  const std::string reply = ask(client, "garbage", false, 20000);
  ASSERT_FALSE(reply.empty()) << "the server did not rejoin the restarted broker";
  EXPECT_TRUE(decode(reply).count("error"));
  EXPECT_EQ(server->answered, 2);
}

TEST(ServeEndToEnd, RecordKeepsObservationAndPrediction) {
  pipeline::Engine engine = load_engine();
  serve::PolicyService service(engine, quick());
  const fs::path dir = fs::temp_directory_path() / ("xwam_serve_record_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  serve::RequestRecorder recorder(dir.string(), engine);
  int recorded = 0;
  service.on_prediction = [&](const serve::PolicyRequest& r, const data::Episode& ep, const pipeline::RolloutRequest& rr,
                              const pipeline::RolloutResult& res) {
    recorder.record(r, ep, rr, res);
    ++recorded;
  };
  EXPECT_TRUE(decode(service.answer(fixture("request_p4.pkl"))).count("actions"));
  EXPECT_TRUE(decode(service.answer("junk")).count("error"));
  EXPECT_EQ(recorded, 1);
  EXPECT_TRUE(fs::exists(dir / "rank1_rollout2" / "step000003.h5"));
  EXPECT_TRUE(fs::exists(dir / "rank1_rollout2" / "step000003" / "rollout.json"));
  EXPECT_TRUE(fs::exists(dir / "rank1_rollout2" / "step000003" / "actions.csv"));
  fs::remove_all(dir);
}
