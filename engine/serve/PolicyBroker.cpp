#include "engine/serve/PolicyBroker.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "engine/core/Error.h"

namespace xwam::serve {

struct PolicyBroker::Impl {
  zmq::context_t context{1};
  zmq::socket_t frontend, backend;
  std::string frontend_endpoint, backend_endpoint;
  std::atomic<int64_t> dispatched{0};

  static zmq::socket_t bound(zmq::context_t& ctx, const std::string& endpoint, std::string& resolved) {
    try {
      zmq::socket_t s(ctx, zmq::socket_type::router);
      s.set(zmq::sockopt::linger, 0);
      s.bind(endpoint);
      resolved = s.get(zmq::sockopt::last_endpoint);
      return s;
    } catch (const zmq::error_t& e) {
      throw Error(endpoint, std::string("cannot bind it: ") + e.what());
    }
  }
};

PolicyBroker::PolicyBroker(const std::string& frontend, const std::string& backend) : impl_(std::make_unique<Impl>()) {
  impl_->frontend = Impl::bound(impl_->context, frontend, impl_->frontend_endpoint);
  impl_->backend = Impl::bound(impl_->context, backend, impl_->backend_endpoint);
}
PolicyBroker::~PolicyBroker() = default;

std::string PolicyBroker::frontend() const { return impl_->frontend_endpoint; }
std::string PolicyBroker::backend() const { return impl_->backend_endpoint; }
int64_t PolicyBroker::dispatched() const { return impl_->dispatched.load(); }

void PolicyBroker::run(const CancelToken* stop, int poll_ms) {
  Impl& b = *impl_;
  std::deque<zmq::message_t> idle_servers;
  std::deque<std::pair<zmq::message_t, zmq::message_t>> pending;  // (client_id, request)
  zmq::pollitem_t items[] = {{b.frontend.handle(), 0, ZMQ_POLLIN, 0}, {b.backend.handle(), 0, ZMQ_POLLIN, 0}};
  while (!(stop && stop->cancelled())) {
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(poll_ms));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      zmq::multipart_t in(b.backend);
      if (in.size() >= 2 && in[1].to_string() == "READY") {
        idle_servers.push_back(std::move(in[0]));
      } else if (in.size() == 4 && in[1].to_string() == "RESULT") {
        zmq::multipart_t out;
        out.add(std::move(in[2]));
        out.add(std::move(in[3]));
        out.send(b.frontend);
      }
    }
    if (items[0].revents & ZMQ_POLLIN) {
      zmq::multipart_t in(b.frontend);
      if (in.size() == 2) pending.emplace_back(std::move(in[0]), std::move(in[1]));
    }
    while (!idle_servers.empty() && !pending.empty()) {
      zmq::multipart_t work;
      work.add(std::move(idle_servers.front()));
      work.addstr("WORK");
      work.add(std::move(pending.front().first));
      work.add(std::move(pending.front().second));
      idle_servers.pop_front();
      pending.pop_front();
      work.send(b.backend);
      ++b.dispatched;
    }
  }
}

}  // namespace xwam::serve
