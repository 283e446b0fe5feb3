// A running `xwam train` job: the spec's effective config written to its run directory, the child
// process, and its output turned into typed events and log text. Driven by polling, so a GUI calls
// poll() from a timer or when stdout_fd()/stderr_fd() become readable, and never blocks.
//
//   jobs::TrainJob job(spec);                 // throws xwam::Error for unusable inputs
//   while (true) {
//     const jobs::JobOutput out = job.poll();
//     for (const auto& e : out.events) show(e);
//     log(out.log);
//     if (out.finished) break;
//   }
//   job.exit_code();                          // 0 done, 130 stopped by cancel() (checkpoint saved)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/jobs/ChildProcess.h"
#include "engine/jobs/LineBuffer.h"
#include "engine/jobs/TrainEvent.h"
#include "engine/jobs/TrainJobSpec.h"

namespace xwam::jobs {

struct JobOutput {
  std::vector<TrainEvent> events;  // reports, in order; stdout lines that are no report are Kind::Text
  std::string log;                 // whole stderr lines (the human progress line, warnings, errors)
  bool finished = false;           // true once: the job has exited and all it printed is in here
};

class TrainJob {
 public:
  // prepare_run(spec), then starts `spec.program train ...`. Throws xwam::Error.
  explicit TrainJob(const TrainJobSpec& spec);
  // A job still running is stopped (SIGTERM, so it saves a checkpoint; SIGKILL after 10 s).
  ~TrainJob() = default;

  const std::vector<std::string>& arguments() const { return arguments_; }
  const std::string& config_path() const { return config_path_; }
  int stdout_fd() const { return process_.stdout_fd(); }
  int stderr_fd() const { return process_.stderr_fd(); }

  // What the job printed since the last call; never blocks.
  JobOutput poll();
  bool running() { return process_.running(); }
  // Asks the job to stop: SIGTERM, on which `xwam train` saves a checkpoint and exits with 130.
  void cancel();
  void kill() { process_.kill(); }
  bool cancel_requested() const { return cancel_requested_; }

  int64_t last_step() const { return last_step_; }      // of the newest Step event
  int64_t total_steps() const { return total_steps_; }  // the spec's, then as the job reports it
  int exit_code() const { return process_.exit_code(); }

 private:
  void take_stdout(const std::vector<std::string>& lines, JobOutput& out);

  std::string config_path_;
  std::vector<std::string> arguments_;
  ChildProcess process_;
  LineBuffer stdout_lines_, stderr_lines_;
  bool cancel_requested_ = false, finished_ = false;
  int64_t last_step_ = 0, total_steps_ = 0;
};

}  // namespace xwam::jobs
