// The timing harness: counts it refuses, how many times it runs the work, and its summary.
#include "bench/Timing.h"

#include <gtest/gtest.h>

#include <thread>

#include "engine/core/Error.h"

using namespace xwam;

TEST(Timing, RefusesRepeatsBelowOneAndNegativeWarmupNamingTheOption) {
  for (const long long repeats : {0LL, -1LL, -1000000000000LL, 1000000000000LL}) {
    try {
      bench::timing_options(repeats, 1);
      FAIL() << "repeats " << repeats << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--repeats"), std::string::npos) << e.what();
    }
  }
  try {
    bench::timing_options(3, -1);
    FAIL() << "warmup -1 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--warmup"), std::string::npos) << e.what();
  }
  const bench::TimingOptions ok = bench::timing_options(1, 0);
  EXPECT_EQ(ok.repeats, 1);
  EXPECT_EQ(ok.warmup, 0);
}

TEST(Timing, OptionsBuiltByHandAreCheckedToo) {
  int calls = 0;
  EXPECT_THROW(bench::time_runs({1, 0}, [&] { ++calls; }), Error);
  EXPECT_THROW(bench::time_split_runs({0, -2}, [&](bench::SplitTimes&) { ++calls; }), Error);
  EXPECT_EQ(calls, 0);
}

TEST(Timing, RunsWarmupThenRepeatsAndKeepsOnlyTimedRuns) {
  int calls = 0;
  // Warm-up runs report 1000 ms, timed ones their index: the summary must see only the timed ones.
  const bench::Timing t = bench::time_measured_runs({2, 5}, [&] { return ++calls <= 2 ? 1000.0 : double(calls - 2); });
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(t.runs_ms, (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(t.min_ms, 1);
  EXPECT_EQ(t.median_ms, 3);
  EXPECT_EQ(t.max_ms, 5);
}

TEST(Timing, MinMedianMaxOfUnsortedAndEvenCounts) {
  const bench::Timing odd = bench::summarize({9, 1, 5});
  EXPECT_EQ(odd.min_ms, 1);
  EXPECT_EQ(odd.median_ms, 5);
  EXPECT_EQ(odd.max_ms, 9);
  EXPECT_EQ(odd.runs_ms, (std::vector<double>{9, 1, 5}));  // run order kept
  const bench::Timing even = bench::summarize({4, 1, 3, 10});
  EXPECT_EQ(even.median_ms, 3.5);
  const bench::Timing one = bench::summarize({2.5});
  EXPECT_EQ(one.min_ms, 2.5);
  EXPECT_EQ(one.median_ms, 2.5);
  EXPECT_EQ(one.max_ms, 2.5);
  EXPECT_THROW(bench::summarize({}), Error);

  const nlohmann::json j = odd.to_json();
  EXPECT_EQ(j["min"], 1.0);
  EXPECT_EQ(j["median"], 5.0);
  EXPECT_EQ(j["max"], 9.0);
  EXPECT_EQ(j["runs"].size(), 3u);
}

TEST(Timing, TimedRunsMeasureTheWorkInOrder) {
  const bench::Timing t = bench::time_runs({0, 3}, [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
  ASSERT_EQ(t.runs_ms.size(), 3u);
  EXPECT_GE(t.min_ms, 4.5);
  EXPECT_LE(t.min_ms, t.median_ms);
  EXPECT_LE(t.median_ms, t.max_ms);
}

TEST(Timing, SplitRunsSummarizeEachClockOverTimedRunsOnly) {
  int run = 0;
  const auto times = bench::time_split_runs({1, 4}, [&](bench::SplitTimes& t) {
    ++run;
    t["total"] = run * 10.0;
    if (run % 2 == 0) t["even"] = run;  // a clock some runs do not have
  });
  EXPECT_EQ(run, 5);
  ASSERT_EQ(times.count("total"), 1u);
  EXPECT_EQ(times.at("total").runs_ms, (std::vector<double>{20, 30, 40, 50}));  // run 1 was the warm-up
  EXPECT_EQ(times.at("total").median_ms, 35);
  EXPECT_EQ(times.at("even").runs_ms, (std::vector<double>{2, 4}));
}
