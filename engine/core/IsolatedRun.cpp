#include "engine/core/IsolatedRun.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/core/Error.h"

// Set by sanitizer (and libFuzzer) builds: a report in the child must not be taken for the parent's.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace xwam {

IsolatedResult run_isolated(const std::function<void()>& work, unsigned seconds) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error("isolated run", std::string("cannot create a pipe: ") + std::strerror(errno));
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error("isolated run", std::string("cannot fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    ::close(fds[0]);
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) ::signal(signal, SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    alarm(seconds);
    try {
      work();
    } catch (...) {
    }
    // The verdict: only a child that got here writes it; a crash or a sanitizer's exit leaves none.
    const char done = 'K';
    ssize_t written;
    do written = ::write(fds[1], &done, 1); while (written < 0 && errno == EINTR);
    _exit(0);  // no destructors or atexit handlers of the parent's state
  }
  ::close(fds[1]);
  char verdict = 0;
  ssize_t got;
  do got = ::read(fds[0], &verdict, 1); while (got < 0 && errno == EINTR);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (got == 1 && verdict == 'K') return {};
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    return {IsolatedResult::Outcome::TimedOut, "did not finish within " + std::to_string(seconds) + " s"};
  if (WIFSIGNALED(status)) return {IsolatedResult::Outcome::Crashed, strsignal(WTERMSIG(status))};
  return {IsolatedResult::Outcome::Crashed, "exit status " + std::to_string(WEXITSTATUS(status))};
}

}  // namespace xwam
