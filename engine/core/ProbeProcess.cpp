#include "engine/core/ProbeProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/core/Error.h"

extern char** environ;

namespace xwam {

ProbeResult run_probe(const std::string& program, const std::vector<std::string>& arguments, double seconds) {
  std::vector<std::string> words{program};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  // The probe's output goes nowhere: its findings are how it ends, and the reader reports the rest.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t child = 0;
  const int failed = posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw Error(program, std::string("cannot start the probe: ") + std::strerror(failed));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long pause_ns = 100'000;  // most probes end within milliseconds; back off to 10 ms steps
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (done < 0 && errno != EINTR) throw Error(program, std::string("cannot wait for the probe: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      return {ProbeResult::Outcome::TimedOut, "did not finish within " + std::to_string(static_cast<int>(seconds)) + " s"};
    }
    const timespec pause{0, pause_ns};
    ::nanosleep(&pause, nullptr);
    pause_ns = std::min(pause_ns * 2, 10'000'000L);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFSIGNALED(status)) return {ProbeResult::Outcome::Crashed, strsignal(WTERMSIG(status))};
  return {ProbeResult::Outcome::Crashed, "exit status " + std::to_string(WEXITSTATUS(status)), WEXITSTATUS(status)};
}

}  // namespace xwam
