// The one timing loop every benchmark uses: untimed warm-up runs, then timed repeats, summarized as
// min / median / max in milliseconds. Benchmarks read --repeats and --warmup through timing_options,
// which refuses counts that would time nothing.
//
//   const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
//   const bench::Timing ours = bench::time_runs(timing, [&] { work(); });
//   json["ours_ms"] = ours.to_json();   // {"min": .., "median": .., "max": .., "runs": [..]}
//
// Not thread-safe; a benchmark times one thing at a time.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xwam::bench {

struct TimingOptions {
  int warmup = 1;   // untimed runs first (page faults, thread pools, pipeline compilation)
  int repeats = 3;  // timed runs, at least 1
};

// Checked options: throws xwam::Error naming --repeats (below 1 or above a million) or --warmup
// (negative or above a million).
TimingOptions timing_options(long long repeats, long long warmup);

struct Timing {
  std::vector<double> runs_ms;  // in run order
  double min_ms = 0, median_ms = 0, max_ms = 0;
  // {"min", "median", "max", "runs"}, milliseconds.
  nlohmann::json to_json() const;
};

// Summary of runs measured elsewhere (e.g. up to a callback inside each run); throws for none.
// The median of an even count is the mean of the middle two.
Timing summarize(std::vector<double> runs_ms);

// `work` warmup times untimed, then repeats times, each timed whole.
Timing time_runs(const TimingOptions& options, const std::function<void()>& work);
// Same, but each run reports its own milliseconds (a part of the run: time inside a library, time
// until a callback fired); warm-up runs' reports are dropped.
Timing time_measured_runs(const TimingOptions& options, const std::function<double()>& work);

// Several clocks in one run (e.g. time to the action chunk with and without encoding): each run
// records named milliseconds into the map it is given; warm-up runs' records are dropped. Returns a
// Timing per name, over the timed runs that recorded it.
using SplitTimes = std::map<std::string, double>;
std::map<std::string, Timing> time_split_runs(const TimingOptions& options, const std::function<void(SplitTimes&)>& work);

// Milliseconds from `start` to now on the steady clock.
double ms_since(std::chrono::steady_clock::time_point start);

}  // namespace xwam::bench
