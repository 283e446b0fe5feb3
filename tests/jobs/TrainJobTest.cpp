// A real short `xwam train` through TrainJob: effective config written, events parsed from the real
// progress lines, checkpoints reported, exit 0; and a cancelled run (SIGTERM → checkpoint, exit 130).
// Skipped where the CLI cannot train (the pipeline part is not built).
#include "engine/jobs/TrainJob.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "engine/core/Error.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
namespace fs = std::filesystem;
using Kind = jobs::TrainEvent::Kind;

#ifdef XWAM_CLI
namespace {
const std::string kTinyConfig = XWAM_SOURCE_DIR "/assets/configs/tiny-train.json";

// A generated two-episode scene, once per binary.
const std::string& scene() {
  static xwam::testing::TempDir dir;
  static const std::string path = [] {
    const std::string out = dir / "scene.h5";
    jobs::ChildProcess gen(XWAM_CLI, {"generate", "--episodes", "2", "--seed", "3", "--frames", "24", "--width", "32",
                                      "--height", "32", "--out", out});
    return gen.wait_for_exit(120000) && gen.exit_code() == 0 ? out : std::string();
  }();
  return path;
}

jobs::TrainJobSpec tiny_job(const std::string& run_dir, int64_t steps) {
  jobs::TrainJobSpec spec;
  spec.program = XWAM_CLI;
  spec.episode_files = {scene()};
  spec.config_file = kTinyConfig;
  spec.steps = steps;
  spec.run_dir = run_dir;
  spec.extra_args = {"--threads", "1"};
  return spec;
}

// Polls like a GUI timer until `stop` says so or the job ends; returns everything it printed.
jobs::JobOutput poll_until(jobs::TrainJob& job, int timeout_s, const std::function<bool(const jobs::JobOutput&)>& stop) {
  jobs::JobOutput all;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!all.finished && !stop(all) && std::chrono::steady_clock::now() < deadline) {
    jobs::JobOutput out = job.poll();
    all.events.insert(all.events.end(), out.events.begin(), out.events.end());
    all.log += out.log;
    all.finished = out.finished;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return all;
}
}  // namespace

TEST(TrainJob, RunsARealShortTrainingAndReportsItsEvents) {
  ASSERT_FALSE(scene().empty()) << "xwam generate failed";
  xwam::testing::TempDir tmp;
  jobs::TrainJob job(tiny_job(tmp / "run", 3));
  EXPECT_EQ(job.config_path(), (fs::path(tmp / "run") / jobs::kJobConfigName).string());
  const jobs::JobOutput out = poll_until(job, 300, [](const jobs::JobOutput&) { return false; });
  ASSERT_TRUE(out.finished) << out.log;
  EXPECT_EQ(job.exit_code(), 0) << out.log;
  EXPECT_FALSE(job.cancel_requested());
  EXPECT_EQ(job.last_step(), 3);
  EXPECT_EQ(job.total_steps(), 3);
  EXPECT_NE(out.log.find("[train] done"), std::string::npos) << out.log;

  std::vector<int64_t> steps;
  std::vector<std::string> checkpoints;
  for (const auto& e : out.events) {
    EXPECT_NE(e.kind, Kind::Text) << e.text;  // xwam train's stdout holds reports only
    EXPECT_EQ(e.total_steps, 3);
    if (e.kind == Kind::Step) {
      steps.push_back(e.step);
      EXPECT_TRUE(std::isfinite(e.loss) && e.loss > 0) << e.loss;
      EXPECT_GT(e.lr, 0);
      EXPECT_GE(e.eta_s, 0);
      EXPECT_GT(e.samples_per_s, 0);
      EXPECT_TRUE(e.loss_parts.count("video") && e.loss_parts.count("action")) << e.loss_parts.size();
    }
    if (e.kind == Kind::Checkpoint) checkpoints.push_back(e.checkpoint);
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3}));
  ASSERT_FALSE(checkpoints.empty());
  // The model checkpoint of the newest trainer checkpoint: RUN/checkpoints/step_N/weights, absolute.
  const std::string model = jobs::model_checkpoint_dir(checkpoints.back());
  EXPECT_EQ(fs::path(model).filename(), "weights");
  EXPECT_TRUE(fs::path(model).is_absolute());
  EXPECT_TRUE(fs::exists(fs::path(model) / "config.json")) << model;
  // Finished once; later polls are empty.
  EXPECT_FALSE(job.poll().finished);
}

TEST(TrainJob, CancelSavesACheckpointAndExitsWith130) {
  ASSERT_FALSE(scene().empty()) << "xwam generate failed";
  xwam::testing::TempDir tmp;
  jobs::TrainJob job(tiny_job(tmp / "run", 100000));
  jobs::JobOutput out = poll_until(job, 300, [](const jobs::JobOutput& o) {
    for (const auto& e : o.events)
      if (e.kind == Kind::Step) return true;
    return false;
  });
  ASSERT_FALSE(out.finished) << out.log;
  const auto start = std::chrono::steady_clock::now();
  job.cancel();
  EXPECT_TRUE(job.cancel_requested());
  const jobs::JobOutput rest = poll_until(job, 60, [](const jobs::JobOutput&) { return false; });
  ASSERT_TRUE(rest.finished) << rest.log;
  std::printf("[ measure  ] cancel to exit: %lld ms, stopped at step %lld\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - start).count()),
              static_cast<long long>(job.last_step()));
  EXPECT_EQ(job.exit_code(), 130) << rest.log;
  EXPECT_LT(job.last_step(), 100000);
  bool saved = false;
  for (const auto& e : rest.events) saved |= e.kind == Kind::Checkpoint && fs::is_directory(e.checkpoint);
  EXPECT_TRUE(saved) << rest.log;
  EXPECT_NE(rest.log.find("resume with --resume"), std::string::npos) << rest.log;
}

TEST(TrainJob, UnusableInputsAreRefusedBeforeAnythingStarts) {
  xwam::testing::TempDir tmp;
  jobs::TrainJobSpec spec = tiny_job(tmp / "run", 3);
  spec.config_file = tmp / "missing.json";
  try {
    jobs::TrainJob job(spec);
    FAIL() << "started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp / "run"));
}
#else
TEST(TrainJob, RunsARealShortTrainingAndReportsItsEvents) { GTEST_SKIP() << "xwam train is not built here"; }
#endif
