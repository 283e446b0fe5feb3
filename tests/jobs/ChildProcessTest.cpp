// The launcher on small shell children: output from both pipes without blocking, exit codes, cancel
// (SIGTERM reaching the whole process group, then SIGKILL for a child that ignores it), start errors,
// and never a zombie.
#include "engine/jobs/ChildProcess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/core/Error.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
// Not our child any more: reaped (waitpid says ECHILD) and gone from /proc.
bool reaped(pid_t pid) {
  errno = 0;
  return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD && !fs::exists("/proc/" + std::to_string(pid));
}

// Running (or stopped), as opposed to gone or a zombie waiting for whoever adopted it to reap it.
bool alive(pid_t pid) {
  const std::string stat = xwam::testing::read_text("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

// Reads everything until `text` appears on stdout or `timeout_ms` passes.
std::string read_until(jobs::ChildProcess& child, const std::string& text, int timeout_ms) {
  std::string out;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out.find(text) == std::string::npos && Clock::now() < deadline) {
    out += child.read_stdout();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return out;
}
}  // namespace

TEST(ChildProcess, ReadsBothStreamsAndTheExitCode) {
  jobs::ChildProcess child("sh", {"-c", "echo out; echo err >&2; read x; echo \"stdin:$x\"; exit 3"});
  ASSERT_TRUE(child.wait_for_exit(10000));
  EXPECT_TRUE(child.exited());
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_code(), 3);
  EXPECT_EQ(child.term_signal(), 0);
  EXPECT_EQ(child.read_stdout(), "out\nstdin:\n");  // stdin is /dev/null: read gets end of file
  EXPECT_EQ(child.read_stderr(), "err\n");
  EXPECT_TRUE(child.output_closed());
  EXPECT_TRUE(reaped(child.pid()));
}

TEST(ChildProcess, ReadsNeverBlock) {
  jobs::ChildProcess child("sh", {"-c", "sleep 2; echo late"});
  const auto start = Clock::now();
  EXPECT_EQ(child.read_stdout(), "");
  EXPECT_EQ(child.read_stderr(), "");
  EXPECT_TRUE(child.running());
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_GE(child.stdout_fd(), 0);
  child.stop(2000);
  EXPECT_TRUE(reaped(child.pid()));
}

TEST(ChildProcess, TerminateLetsTheChildCleanUpAndReachesItsChildren) {
  xwam::testing::TempDir tmp;
  // The shell traps SIGTERM like `xwam train` (saves, then exits with its own code); its `sleep`
  // child is in the same process group and gets the signal too.
  const std::string script = "trap 'echo saved; exit 130' TERM; sleep 60 & echo $! > '" + tmp / "sleep.pid" +
                             "'; echo ready; wait";
  jobs::ChildProcess child("sh", {"-c", script});
  ASSERT_NE(read_until(child, "ready", 10000).find("ready"), std::string::npos);
  const auto start = Clock::now();
  child.terminate();
  ASSERT_TRUE(child.wait_for_exit(10000));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(child.exit_code(), 130);
  EXPECT_EQ(child.read_stdout(), "saved\n");
  EXPECT_TRUE(reaped(child.pid()));
  const pid_t sleeper = std::stoi(xwam::testing::read_text(tmp / "sleep.pid"));
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (alive(sleeper) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(alive(sleeper)) << "the grandchild survived the cancel";
}

TEST(ChildProcess, StopKillsAChildThatIgnoresTerminate) {
  jobs::ChildProcess child("sh", {"-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"});
  ASSERT_NE(read_until(child, "ready", 10000).find("ready"), std::string::npos);
  const auto start = Clock::now();
  EXPECT_EQ(child.stop(300), 128 + SIGKILL);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(300));
  EXPECT_EQ(child.term_signal(), SIGKILL);
  EXPECT_TRUE(reaped(child.pid()));
  // Signals after the exit go nowhere (the id may be reused).
  child.terminate();
  child.kill();
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, DestructorStopsAndReapsARunningChild) {
  pid_t pid;
  {
    jobs::ChildProcess child("sh", {"-c", "sleep 60"});
    pid = child.pid();
    EXPECT_TRUE(child.running());
  }
  EXPECT_TRUE(reaped(pid));
}

TEST(ChildProcess, WaitDrainsAChildThatFillsThePipe) {
  // 1 MiB is far more than a pipe holds: waiting without reading would never end.
  jobs::ChildProcess child("sh", {"-c", "head -c 1048576 /dev/zero; echo done >&2"});
  ASSERT_TRUE(child.wait_for_exit(20000));
  EXPECT_EQ(child.exit_code(), 0);
  EXPECT_EQ(child.read_stdout().size(), 1048576u);
  EXPECT_EQ(child.read_stderr(), "done\n");
}

TEST(ChildProcess, AProgramThatCannotStartIsAnErrorNamingIt) {
  try {
    jobs::ChildProcess child("/nonexistent/xwam", {"train"});
    FAIL() << "started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/xwam: cannot start"), std::string::npos) << e.what();
  }
}
