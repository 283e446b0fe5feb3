// The released X-WAM broker (evaluation/policy_broker.py) in C++, for tests, benchmarks and a broker
// without Python: a ROUTER frontend for clients, a ROUTER backend for policy servers; a server's
// [READY] puts it in the idle queue, a client's request goes to the pending queue, and whenever both
// hold something they are paired 1:1 in arrival order ([WORK, client_id, request]); a server's
// [RESULT, client_id, result] goes back to that client.
//
//   PolicyBroker broker("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");   // ports chosen by the system
//   std::thread t([&] { broker.run(&stop); });
//   ... clients connect to broker.frontend(), servers to broker.backend() ...
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/Progress.h"

namespace xwam::serve {

class PolicyBroker {
 public:
  // Binds both endpoints. Throws xwam::Error naming one that cannot be bound.
  PolicyBroker(const std::string& frontend, const std::string& backend);
  ~PolicyBroker();
  PolicyBroker(const PolicyBroker&) = delete;
  PolicyBroker& operator=(const PolicyBroker&) = delete;

  std::string frontend() const;  // bound endpoints, ports resolved
  std::string backend() const;

  // Dispatches until `stop` is set (checked every poll_ms). Call from one thread.
  void run(const CancelToken* stop, int poll_ms = 50);
  // Requests handed to servers so far (atomic: readable from another thread).
  int64_t dispatched() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::serve
