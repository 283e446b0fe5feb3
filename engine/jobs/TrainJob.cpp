#include "engine/jobs/TrainJob.h"

namespace xwam::jobs {

TrainJob::TrainJob(const TrainJobSpec& spec)
    : config_path_(prepare_run(spec)),
      arguments_(train_arguments(spec, config_path_)),
      process_(spec.program, arguments_),
      total_steps_(spec.steps.value_or(0)) {}

void TrainJob::take_stdout(const std::vector<std::string>& lines, JobOutput& out) {
  for (const auto& line : lines) {
    if (line.empty()) continue;
    TrainEvent event = parse_train_line(line);
    if (event.total_steps > 0) total_steps_ = event.total_steps;
    if (event.kind == TrainEvent::Kind::Step) last_step_ = event.step;
    out.events.push_back(std::move(event));
  }
}

JobOutput TrainJob::poll() {
  JobOutput out;
  if (finished_) return out;
  // Whether it exited is asked first: what it printed before exiting is then all in the pipes.
  const bool exited = !process_.running();
  take_stdout(stdout_lines_.append(process_.read_stdout()), out);
  for (const auto& line : stderr_lines_.append(process_.read_stderr())) out.log += line + "\n";
  if (exited) {
    take_stdout(stdout_lines_.flush(), out);
    for (const auto& line : stderr_lines_.flush()) out.log += line + "\n";
    finished_ = out.finished = true;
  }
  return out;
}

void TrainJob::cancel() {
  if (!process_.running()) return;
  cancel_requested_ = true;
  process_.terminate();
}

}  // namespace xwam::jobs
