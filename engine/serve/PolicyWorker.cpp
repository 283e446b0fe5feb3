#include "engine/serve/PolicyWorker.h"

#include <zmq.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "engine/core/Error.h"
#include "engine/serve/PolicyResult.h"

namespace xwam::serve {
namespace {
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string hex(const zmq::message_t& m) {
  static const char* d = "0123456789abcdef";
  std::string s;
  const auto* b = static_cast<const unsigned char*>(m.data());
  for (size_t i = 0; i < m.size(); ++i) s += {d[b[i] >> 4], d[b[i] & 15]};
  return s;
}

std::atomic<int> g_monitors{0};
}  // namespace

struct PolicyWorker::Impl {
  WorkerOptions options;
  zmq::context_t context{1};
  zmq::socket_t socket;
  zmq::socket_t monitor;  // broker mode: connection events, to announce READY again after a reconnect
  std::string endpoint;

  explicit Impl(const WorkerOptions& o) : options(o) {
    const bool broker = !o.broker.empty();
    if (broker == !o.bind.empty()) throw Error("serve: give exactly one of a broker to connect to or an address to bind");
    endpoint = broker ? o.broker : o.bind;
    try {
      socket = zmq::socket_t(context, broker ? zmq::socket_type::dealer : zmq::socket_type::router);
      socket.set(zmq::sockopt::linger, 1000);
      if (broker) {
        const std::string events = "inproc://xwam-worker-monitor-" + std::to_string(g_monitors++);
        if (zmq_socket_monitor(socket.handle(), events.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
          throw zmq::error_t();
        monitor = zmq::socket_t(context, zmq::socket_type::pair);
        monitor.connect(events);
        socket.connect(endpoint);
      } else {
        socket.bind(endpoint);
        endpoint = socket.get(zmq::sockopt::last_endpoint);
      }
    } catch (const zmq::error_t& e) {
      throw Error(endpoint, std::string("cannot ") + (broker ? "connect to it" : "bind it") + ": " + e.what());
    }
  }

  // True after a reconnection to the broker (a CONNECTED event that follows a DISCONNECTED one).
  bool reconnected(bool& was_disconnected) {
    bool again = false;
    zmq::multipart_t event;
    while (event.recv(monitor, ZMQ_DONTWAIT)) {
      if (event.empty() || event[0].size() < 2) continue;
      uint16_t id;
      std::memcpy(&id, event[0].data(), 2);
      if (id == ZMQ_EVENT_DISCONNECTED) was_disconnected = true;
      if (id == ZMQ_EVENT_CONNECTED && was_disconnected) {
        was_disconnected = false;
        again = true;
      }
      event.clear();
    }
    return again;
  }

  static std::string answer(const RequestHandler& handle, const std::string& request, const WorkItem& item) {
    try {
      return handle(request, item);
    } catch (const std::exception& e) {
      return encode_error(e.what());
    }
  }
};

PolicyWorker::PolicyWorker(const WorkerOptions& options) : impl_(std::make_unique<Impl>(options)) {}
PolicyWorker::~PolicyWorker() = default;

std::string PolicyWorker::endpoint() const { return impl_->endpoint; }

int64_t PolicyWorker::run(const RequestHandler& handle, const CancelToken* stop) {
  Impl& w = *impl_;
  const bool broker = !w.options.broker.empty();
  auto stopping = [&] { return stop && stop->cancelled(); };
  int64_t served = 0;
  bool was_disconnected = false;
  auto send = [&](zmq::multipart_t& m) { m.send(w.socket); };
  if (broker) {
    zmq::multipart_t ready("READY");
    send(ready);
  }
  auto ready_at = Clock::now();
  std::vector<zmq::pollitem_t> items = {{w.socket.handle(), 0, ZMQ_POLLIN, 0}};
  if (broker) items.push_back({w.monitor.handle(), 0, ZMQ_POLLIN, 0});
  while (!stopping()) {
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(w.options.poll_ms));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal: look at the stop token
      throw;
    }
    if (broker && (items[1].revents & ZMQ_POLLIN) && w.reconnected(was_disconnected)) {
      zmq::multipart_t ready("READY");  // a restarted broker does not know this worker
      send(ready);
      ready_at = Clock::now();
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    zmq::multipart_t in;
    if (!in.recv(w.socket, ZMQ_DONTWAIT)) continue;
    WorkItem item;
    item.wait_ms = ms_since(ready_at);
    zmq::multipart_t out;
    if (broker) {
      // [WORK, client_id, request]; anything else is not ours to answer
      if (in.size() != 3 || in[0].to_string() != "WORK") continue;
      item.client = hex(in[1]);
      out.addstr("RESULT");
      out.add(std::move(in[1]));
      out.addstr(Impl::answer(handle, in[2].to_string(), item));
    } else {
      // [client_id, request] from a DEALER, [client_id, "", request] from a REQ
      if (in.size() != 2 && !(in.size() == 3 && in[1].size() == 0)) continue;
      item.client = hex(in[0]);
      const std::string result = Impl::answer(handle, in[in.size() - 1].to_string(), item);
      out.add(std::move(in[0]));
      if (in.size() == 3) out.add(zmq::message_t());
      out.addstr(result);
    }
    send(out);
    ++served;
    if (broker && !stopping()) {  // a stopping server takes no more work
      zmq::multipart_t ready("READY");
      send(ready);
    }
    ready_at = Clock::now();
  }
  return served;
}

}  // namespace xwam::serve
