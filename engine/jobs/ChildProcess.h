// A child process with its stdout and stderr on pipes, driven without blocking: a GUI polls it from
// its event loop (or watches stdout_fd()/stderr_fd() with QSocketNotifier), a CLI may wait on it.
// The child leads its own process group, so cancelling reaches whatever it started; the child is
// always reaped (no zombie), at the latest by the destructor.
//
//   ChildProcess child("xwam", {"train", ...});
//   while (child.running()) { use(child.read_stdout()); ... }   // reads never block
//   child.terminate();              // SIGTERM: `xwam train` saves a checkpoint and exits
//   child.wait_for_exit(20000) || (child.kill(), child.wait_for_exit(2000));
//   child.exit_code();
//
// Not thread-safe: one thread drives it.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace xwam::jobs {

class ChildProcess {
 public:
  // Starts `program` (a path, or a name looked up in PATH) with `args`; stdin is /dev/null, and the
  // child's signal mask and dispositions are reset. Throws xwam::Error naming the program when it
  // cannot be started (missing, not executable, no resources).
  ChildProcess(const std::string& program, const std::vector<std::string>& args);
  // A child still running is stopped as stop() does with a 10 s grace period.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Read ends of the pipes (non-blocking), or -1 once that stream ended.
  int stdout_fd() const { return out_fd_; }
  int stderr_fd() const { return err_fd_; }
  // What the stream holds now ("" when nothing yet); never blocks. At end of stream the pipe is closed.
  std::string read_stdout();
  std::string read_stderr();
  // Both streams ended (the child and everything it started closed them).
  bool output_closed() const { return out_fd_ < 0 && err_fd_ < 0; }

  // Reaps the child if it has exited; true while it runs. Never blocks.
  bool running();
  void terminate();  // SIGTERM to the child's process group (no-op once it exited)
  void kill();       // SIGKILL to the child's process group (no-op once it exited)
  // Waits up to `timeout_ms` for the exit, draining both pipes meanwhile (a child blocked on a full
  // pipe would never exit); true when the child has exited and is reaped.
  bool wait_for_exit(int timeout_ms);
  // terminate(), wait up to `grace_ms`, then kill() and wait; returns exit_code().
  int stop(int grace_ms);

  bool exited() const { return exited_; }
  // The exit status, or 128 + N when signal N ended it (as a shell reports it); -1 while running.
  int exit_code() const { return exit_code_; }
  int term_signal() const { return term_signal_; }  // the signal that ended it, or 0

 private:
  std::string drain(int& fd, std::string& pending);
  void signal_group(int sig);
  void reaped(int status);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_pending_, err_pending_;  // drained by wait_for_exit, handed out by the next read
  bool exited_ = false;
  int exit_code_ = -1, term_signal_ = 0;
};

}  // namespace xwam::jobs
