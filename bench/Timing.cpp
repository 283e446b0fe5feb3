// The benchmarks' timing loop and its summary.
#include "bench/Timing.h"

#include <algorithm>
#include <string>

#include "engine/core/Error.h"

namespace xwam::bench {

namespace {
// A million timed runs is far past any useful benchmark and keeps the count an int.
constexpr long long kMaxRuns = 1000000;
}  // namespace

TimingOptions timing_options(long long repeats, long long warmup) {
  if (repeats < 1 || repeats > kMaxRuns)
    throw Error("option --repeats must be between 1 and " + std::to_string(kMaxRuns) + ", got " + std::to_string(repeats));
  if (warmup < 0 || warmup > kMaxRuns)
    throw Error("option --warmup must be between 0 and " + std::to_string(kMaxRuns) + ", got " + std::to_string(warmup));
  return {static_cast<int>(warmup), static_cast<int>(repeats)};
}

nlohmann::json Timing::to_json() const {
  return {{"min", min_ms}, {"median", median_ms}, {"max", max_ms}, {"runs", runs_ms}};
}

Timing summarize(std::vector<double> runs_ms) {
  if (runs_ms.empty()) throw Error("benchmark timing: no timed runs to summarize");
  Timing t;
  t.runs_ms = runs_ms;
  std::sort(runs_ms.begin(), runs_ms.end());
  const size_t n = runs_ms.size();
  t.min_ms = runs_ms.front();
  t.max_ms = runs_ms.back();
  t.median_ms = n % 2 ? runs_ms[n / 2] : 0.5 * (runs_ms[n / 2 - 1] + runs_ms[n / 2]);
  return t;
}

Timing time_measured_runs(const TimingOptions& options, const std::function<double()>& work) {
  const TimingOptions checked = timing_options(options.repeats, options.warmup);
  for (int i = 0; i < checked.warmup; ++i) (void)work();
  std::vector<double> runs;
  runs.reserve(static_cast<size_t>(checked.repeats));
  for (int i = 0; i < checked.repeats; ++i) runs.push_back(work());
  return summarize(std::move(runs));
}

Timing time_runs(const TimingOptions& options, const std::function<void()>& work) {
  return time_measured_runs(options, [&] {
    const auto start = std::chrono::steady_clock::now();
    work();
    return ms_since(start);
  });
}

std::map<std::string, Timing> time_split_runs(const TimingOptions& options, const std::function<void(SplitTimes&)>& work) {
  const TimingOptions checked = timing_options(options.repeats, options.warmup);
  for (int i = 0; i < checked.warmup; ++i) {
    SplitTimes dropped;
    work(dropped);
  }
  std::map<std::string, std::vector<double>> runs;
  for (int i = 0; i < checked.repeats; ++i) {
    SplitTimes times;
    work(times);
    for (const auto& [name, ms] : times) runs[name].push_back(ms);
  }
  std::map<std::string, Timing> out;
  for (auto& [name, ms] : runs) out.emplace(name, summarize(std::move(ms)));
  return out;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace xwam::bench
