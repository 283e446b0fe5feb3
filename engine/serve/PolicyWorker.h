// A policy server's side of the released X-WAM broker protocol (evaluation/policy_server.py and
// policy_broker.py), over ZeroMQ:
//   broker mode: a DEALER connected to the broker's backend (default port 10087) sends [READY],
//     receives [WORK, client_id, request], replies [RESULT, client_id, result], sends [READY] again;
//   bind mode:   a ROUTER bound where clients connect (the broker's frontend, default port 10086):
//     a DEALER client's [request] or a REQ client's ["", request] is answered on the same envelope.
// The handler turns request bytes into result bytes; it is called on the thread that runs run().
// When the broker goes away and comes back, ZeroMQ reconnects and the worker announces READY again.
//
//   PolicyWorker worker({"tcp://localhost:10087", ""});
//   worker.run([&](const std::string& req, const WorkItem& item) { return service.answer(req, item); }, &stop);
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/core/Progress.h"

namespace xwam::serve {

struct WorkerOptions {
  std::string broker;  // tcp://HOST:PORT of the broker's backend, or empty
  std::string bind;    // tcp://*:PORT to serve clients directly (no broker), or empty
  int poll_ms = 100;   // how often a waiting worker looks at the stop token
};

// What the worker knows of a request before handling it.
struct WorkItem {
  std::string client;  // the client's ZeroMQ identity, hex
  double wait_ms = 0;  // since this worker announced itself ready (broker) or last answered (bind)
};

using RequestHandler = std::function<std::string(const std::string& request, const WorkItem& item)>;

class PolicyWorker {
 public:
  // Connects or binds (exactly one of broker / bind). Throws xwam::Error naming the endpoint.
  explicit PolicyWorker(const WorkerOptions& options);
  ~PolicyWorker();
  PolicyWorker(const PolicyWorker&) = delete;
  PolicyWorker& operator=(const PolicyWorker&) = delete;

  // The bound endpoint with its port resolved (bind mode), else the broker's.
  std::string endpoint() const;
  // Serves until `stop` is set; a request in hand is answered first. A handler that throws is
  // answered with an error result (PolicyResult.h) and the worker goes on. Returns the requests served.
  int64_t run(const RequestHandler& handle, const CancelToken* stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::serve
