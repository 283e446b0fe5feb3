// Every `xwam bench NAME` at tiny sizes: one JSON document on stdout with its agreed keys, each timing
// as min ≤ median ≤ max over the requested repeats; --repeats 0 is refused with an error naming the
// option (exit status 1), not a crash.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/CliRunner.h"

using xwam::testing::run_xwam;

namespace {

// Checks one timing object: {min, median, max, runs} with `repeats` runs, ordered.
void expect_timing(const nlohmann::json& j, const std::string& key, int repeats) {
  SCOPED_TRACE(key);
  ASSERT_TRUE(j.contains(key));
  const nlohmann::json& t = j.at(key);
  ASSERT_TRUE(t.is_object()) << t.dump();
  for (const char* k : {"min", "median", "max"}) ASSERT_TRUE(t.contains(k) && t[k].is_number()) << k;
  EXPECT_GE(t["min"].get<double>(), 0.0);
  EXPECT_LE(t["min"].get<double>(), t["median"].get<double>());
  EXPECT_LE(t["median"].get<double>(), t["max"].get<double>());
  EXPECT_EQ(t["runs"].size(), static_cast<size_t>(repeats));
}

// Runs `xwam bench ARGS --repeats 2 --warmup 1` and parses its stdout; fails on a non-zero exit.
nlohmann::json run_bench(const std::string& args) {
  const auto r = run_xwam("bench " + args + " --repeats 2 --warmup 1 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  try {
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.value("repeats", -1), 2);
    EXPECT_EQ(j.value("warmup", -1), 1);
    EXPECT_TRUE(j.contains("benchmark") && j.contains("baseline")) << r.out;
    return j;
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << "\n" << r.err;
    return nlohmann::json::object();
  }
}

void expect_repeats_zero_refused(const std::string& name) {
  for (const char* bad : {"0", "-3"}) {
    const auto r = run_xwam("bench " + name + " --repeats " + bad);
    EXPECT_EQ(r.exit_code, 1) << name << " --repeats " << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--repeats"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  const auto r = run_xwam("bench " + name + " --warmup -1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--warmup"), std::string::npos) << r.err;
}

}  // namespace

#ifdef XWAM_BENCH_HAS_DATA
TEST(BenchCommands, Read) {
  const auto j = run_bench("read --frames 12 --width 32 --height 24 --range 3");
  expect_timing(j, "range_ms", 2);
  expect_timing(j, "all_ms", 2);
  EXPECT_GT(j["speedup_vs_all"].get<double>(), 0);
  expect_repeats_zero_refused("read");
}

TEST(BenchCommands, Generate) {
  const auto j = run_bench("generate --width 32 --height 24 --frames 16 --episodes 1");
  expect_timing(j["culling"], "ms", 2);
  expect_timing(j["baseline_no_culling"], "ms", 2);
  EXPECT_TRUE(j["identical_output"].get<bool>());
  EXPECT_GT(j["speedup"].get<double>(), 0);
  expect_repeats_zero_refused("generate");
}

TEST(BenchCommands, Video) {
  const auto j = run_bench("video --frames 40 --width 32 --height 32 --start 4");
  expect_timing(j, "seek_ms", 2);
  expect_timing(j, "decode_all_ms", 2);
  EXPECT_EQ(j["decode_all_frames_decoded"], 37);  // frames 0..36 (start + 8 strides of 4)
  expect_repeats_zero_refused("video");
}
#endif

#ifdef XWAM_BENCH_HAS_IO
TEST(BenchCommands, FiniteWeights) {
  const auto j = run_bench("finite-weights --million 1 --dtype float32");
  expect_timing(j, "check_ms", 2);
  expect_timing(j, "copy_ms", 2);
  EXPECT_EQ(j["values"], 1000000);
  expect_repeats_zero_refused("finite-weights");
}
#endif

#ifdef XWAM_BENCH_HAS_GEOMETRY
TEST(BenchCommands, FusionAgainstBothOpen3dPaths) {
  const auto j = run_bench("fusion --views 2 --frames 2 --width 64 --height 48");
  for (const char* key : {"ours_ms", "open3d_legacy_ms", "open3d_tensor_ms"}) expect_timing(j, key, 2);
  // Ours against the faster baseline, both reported, and the same points from every path.
  const double legacy = j["open3d_legacy_ms"]["median"], tensor = j["open3d_tensor_ms"]["median"];
  const double ours = j["ours_ms"]["median"];
  EXPECT_EQ(j["baseline"], tensor < legacy ? "open3d_tensor" : "open3d_legacy");
  EXPECT_NEAR(j["speedup"].get<double>(), std::min(legacy, tensor) / ours, 1e-9);
  EXPECT_GT(j["points"].get<long>(), 2000);
  EXPECT_LE(j["legacy_max_point_diff_m"].get<double>(), 1e-5);
  EXPECT_LE(j["tensor_max_point_diff_m"].get<double>(), 1e-5);
  expect_repeats_zero_refused("fusion");
}
#endif

#ifdef XWAM_BENCH_HAS_SAMPLING
TEST(BenchCommands, LatencyWithAndWithoutEncoding) {
  const auto j = run_bench("latency --config tiny --steps-action 2 --steps-video 3 --threads 1");
  ASSERT_TRUE(j.contains("modes"));
  for (const char* mode : {"xwam", "sync", "fastwam", "action-conditioned"}) {
    SCOPED_TRACE(mode);
    const auto& m = j["modes"][mode];
    for (const char* key : {"total_ms", "total_with_encode_ms", "encode_observation_ms", "encode_instruction_ms"})
      expect_timing(m, key, 2);
    if (std::string(mode) != "action-conditioned") {
      for (const char* key : {"action_ms", "action_with_observation_ms", "action_with_encode_ms"}) expect_timing(m, key, 2);
      // Each run's time with encoding is the same run's time without it plus what encoding took.
      for (int r = 0; r < 2; ++r) {
        const double without = m["action_ms"]["runs"][r], with = m["action_with_encode_ms"]["runs"][r];
        const double encode = m["encode_observation_ms"]["runs"][r].get<double>() + m["encode_instruction_ms"]["runs"][r].get<double>();
        EXPECT_NEAR(with, without + encode, 1e-6);
        EXPECT_GT(encode, 0);
      }
    }
  }
  EXPECT_TRUE(j["sync_over_xwam_action_ms"].is_number());
  EXPECT_TRUE(j["sync_over_xwam_action_with_encode_ms"].is_number());
  expect_repeats_zero_refused("latency --config tiny");
}
#endif

#ifdef XWAM_BENCH_HAS_RENDER
TEST(BenchCommands, RenderBothPointPathsAndAStagingRing) {
  const auto probe = run_xwam("bench render --width 64 --height 48 --points 2000 --frames 2 --repeats 2 --warmup 1");
  if (probe.exit_code != 0 && probe.err.find("no Vulkan device") != std::string::npos) GTEST_SKIP() << probe.err;
  const auto j = run_bench("render --width 96 --height 64 --points 2000 5000 --frames 2 --reupload --staging-slots 2");
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_EQ(j["staging_slots"], 2);
  const bool compute = j["compute_path"];
  for (const auto& r : j["results"]) {
    expect_timing(r["hardware"], "sequence_ms", 2);
    expect_timing(r, "reupload_sequence_ms", 2);
    EXPECT_GT(r["speedup_vs_reupload"].get<double>(), 0);
    if (!compute) continue;
    // Both paths timed in the same run, the ratio from their medians, and the same picture.
    expect_timing(r["compute"], "sequence_ms", 2);
    EXPECT_NEAR(r["speedup_compute_vs_hardware"].get<double>(),
                r["hardware"]["sequence_ms"]["median"].get<double>() / r["compute"]["sequence_ms"]["median"].get<double>(),
                1e-9);
    EXPECT_GT(r["point_pixels"].get<long>(), 100);
    EXPECT_GE(r["identical_point_pixels"].get<double>(), 0.99);
    EXPECT_GE(r["identical_pixels"].get<double>(), r["identical_point_pixels"].get<double>());
  }
  expect_repeats_zero_refused("render --points 1000");
  const auto slots = run_xwam("bench render --staging-slots 0");
  EXPECT_EQ(slots.exit_code, 1);
  EXPECT_NE(slots.err.find("--staging-slots"), std::string::npos) << slots.err;
}
#endif

#ifdef XWAM_BENCH_HAS_SERVE
TEST(BenchCommands, ServeThroughTheBrokerAgainstInProcess) {
  const auto j = run_bench("serve --steps-action 1 --steps-video 2 --threads 1");
  EXPECT_EQ(j["baseline"], "in_process_predict");
  expect_timing(j, "in_process_ms", 2);
  for (const char* servers : {"1", "2"}) {
    SCOPED_TRACE(servers);
    const auto& s = j["servers"][servers];
    expect_timing(s, "round_trip_ms", 2 * std::stoi(servers));
    EXPECT_GT(s["requests_per_s"].get<double>(), 0);
    EXPECT_NEAR(s["overhead_ms"].get<double>(), s["round_trip_ms"]["median"].get<double>() - j["in_process_ms"]["median"].get<double>(), 1e-9);
  }
  EXPECT_TRUE(j.contains("overhead_within_target"));
  expect_repeats_zero_refused("serve");
}
#endif
