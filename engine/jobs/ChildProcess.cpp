#include "engine/jobs/ChildProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "engine/core/Error.h"

extern char** environ;

namespace xwam::jobs {

namespace {
void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Owns the spawn attributes and file actions for the duration of one posix_spawn call.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};
}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw Error(program, std::string("cannot start: pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out[0]), ::close(out[1]);
    throw Error(program, std::string("cannot start: pipe: ") + std::strerror(e));
  }
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err[1], 2);
  // Its own process group (cancel reaches its children), default signal handling, nothing blocked:
  // a GUI parent may ignore SIGPIPE or block signals, which a child would otherwise inherit.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, program.c_str(), &setup.actions, &setup.attr, argv.data(), environ);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]), ::close(err[0]);
    pid_ = -1;
    throw Error(program, std::string("cannot start: ") + std::strerror(rc));
  }
  out_fd_ = out[0];
  err_fd_ = err[0];
  ::fcntl(out_fd_, F_SETFL, ::fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
  ::fcntl(err_fd_, F_SETFL, ::fcntl(err_fd_, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) stop(10000);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

std::string ChildProcess::drain(int& fd, std::string& pending) {
  std::string data = std::move(pending);
  pending.clear();
  char buf[65536];
  while (fd >= 0) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) data.append(buf, static_cast<size_t>(n));
    else if (n == 0) close_fd(fd);  // end of stream
    else if (errno == EINTR) continue;
    else if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    else close_fd(fd);  // a broken pipe ends the stream too
  }
  return data;
}

std::string ChildProcess::read_stdout() { return drain(out_fd_, out_pending_); }
std::string ChildProcess::read_stderr() { return drain(err_fd_, err_pending_); }

void ChildProcess::reaped(int status) {
  exited_ = true;
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    term_signal_ = WTERMSIG(status);
    exit_code_ = 128 + term_signal_;
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exited_) return false;
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid_, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid_) reaped(status);
  else if (r < 0) exited_ = true;  // ECHILD: reaped by someone else; its status is lost
  return !exited_;
}

void ChildProcess::signal_group(int sig) {
  // Never after reaping: the ids may belong to another process by then.
  if (running()) ::kill(-pid_, sig);
}

void ChildProcess::terminate() { signal_group(SIGTERM); }
void ChildProcess::kill() { signal_group(SIGKILL); }

bool ChildProcess::wait_for_exit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    // Sleep on the pipes (output wakes us early and is kept for the next read), at most 20 ms.
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(std::min<long long>(20, std::chrono::ceil<std::chrono::milliseconds>(left).count())));
    out_pending_ = drain(out_fd_, out_pending_);
    err_pending_ = drain(err_fd_, err_pending_);
  }
  return true;
}

int ChildProcess::stop(int grace_ms) {
  terminate();
  if (!wait_for_exit(grace_ms)) {
    kill();
    wait_for_exit(5000);
  }
  return exit_code_;
}

}  // namespace xwam::jobs
