// The `xwam serve` program: option errors before anything loads, and a served process (the shipped
// demo checkpoint, --bind on loopback) that answers a REQ client, logs one line per request and exits
// with status 0 on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "engine/io/Pickle.h"
#include "tests/cli/CliRunner.h"

using xwam::testing::run_xwam;

namespace {
const std::string kDemo = std::string(XWAM_SOURCE_DIR) + "/assets/checkpoints/demo";

// A loopback port free a moment ago.
int free_port() {
  zmq::context_t context;
  zmq::socket_t probe(context, zmq::socket_type::router);
  probe.bind("tcp://127.0.0.1:*");
  const std::string endpoint = probe.get(zmq::sockopt::last_endpoint);
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

std::string error_of(const std::string& reply) {
  const auto root = xwam::io::pickle::unpickle(reply.data(), reply.size(), nullptr, "reply", &xwam::io::pickle::numpy_array_globals());
  for (const auto& [k, v] : root->dict)
    if (k->text == "error") return v->text;
  return "";
}
}  // namespace

TEST(ServeCommand, RefusesAmbiguousEndpoints) {
  auto r = run_xwam("serve --checkpoint " + kDemo);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--broker"), std::string::npos) << r.err;
  r = run_xwam("serve --checkpoint " + kDemo + " --broker tcp://127.0.0.1:1 --bind tcp://127.0.0.1:2");
  EXPECT_EQ(r.exit_code, 1);
  r = run_xwam("serve --checkpoint " + kDemo + " --bind tcp://127.0.0.1:2 --mode sync");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("xwam or fastwam"), std::string::npos) << r.err;
}

TEST(ServeCommand, AnswersThenStopsCleanlyOnSigterm) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  const std::string log = "/tmp/xwam_serve_command_" + std::to_string(::getpid()) + ".err";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stderr)) ::_exit(127);
    ::execl(XWAM_CLI, XWAM_CLI, "serve", "--checkpoint", kDemo.c_str(), "--bind", endpoint.c_str(), "--steps-action", "1",
            "--steps-video", "2", "--threads", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  zmq::context_t context;
  zmq::socket_t client(context, zmq::socket_type::req);
  client.set(zmq::sockopt::linger, 0);
  client.connect(endpoint);
  auto ask = [&](const std::string& request) {
    client.send(zmq::buffer(request));
    zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::seconds(120)) == 0) return std::string();
    zmq::multipart_t reply(client);
    return reply.back().to_string();
  };
  const std::string first = ask("not a pickle");
  ASSERT_FALSE(first.empty()) << xwam::testing::slurp(log);
  EXPECT_NE(error_of(first).find("not a pickle"), std::string::npos);
  // The demo checkpoint takes 3 views; the golden request has 2.
  const std::string second = ask(xwam::testing::slurp(std::string(XWAM_SOURCE_DIR) + "/tests/serve/fixtures/request_p4.pkl"));
  EXPECT_NE(error_of(second).find("2 views, the checkpoint takes 3"), std::string::npos) << error_of(second);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const std::string err = xwam::testing::slurp(log);
  EXPECT_NE(err.find("refused: request: is not a pickle"), std::string::npos) << err;
  EXPECT_NE(err.find("stopped after 2 requests"), std::string::npos) << err;
  std::remove(log.c_str());
}
