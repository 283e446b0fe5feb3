// Every `xwam` command that writes a folder keeps a user's files: refused before any work when the
// folder holds files xwam did not write, --force moves it aside, its own output is replaced whole, and
// a SIGKILL at any moment of a rollout leaves the user's files and a whole (old or new) output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/cli/CliRunner.h"

using xwam::testing::run_xwam;
using xwam::testing::slurp;
namespace fs = std::filesystem;

namespace {

const std::string kCheckpoint = std::string(XWAM_SOURCE_DIR) + "/assets/checkpoints/demo";
const std::string kScene = std::string(XWAM_SOURCE_DIR) + "/assets/scenes/default.h5";
const std::string kFast = " --steps-action 2 --steps-video 2 --threads 1";

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / ("xwam_output_" + std::to_string(::getpid()) + "_" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A folder of a user's: two files that must survive everything.
void users_folder(const fs::path& dir) {
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "thesis.tex") << "years of work";
  std::ofstream(dir / "sub" / "data.csv") << "1,2,3";
}
void expect_users_folder(const fs::path& dir) {
  EXPECT_EQ(slurp((dir / "thesis.tex").string()), "years of work") << dir;
  EXPECT_EQ(slurp((dir / "sub" / "data.csv").string()), "1,2,3") << dir;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

void expect_refused(const xwam::testing::CliResult& r, const fs::path& target) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(target.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
}

std::string rollout_to(const fs::path& out) {
  return "rollout --checkpoint " + kCheckpoint + " --scene " + kScene + ":0 --out " + out.string() + kFast;
}

}  // namespace

TEST(OutputSafety, RolloutRefusesAUsersFolderBeforeLoadingTheModel) {
  const fs::path root = temp_dir(), mine = root / "mine";
  users_folder(mine);
  const auto r = run_xwam(rollout_to(mine));
  expect_refused(r, mine);
  EXPECT_NE(r.err.find("holds files xwam did not write"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("loading"), std::string::npos) << "refused only after loading the model:\n" << r.err;
  expect_users_folder(mine);
  EXPECT_EQ(names_in(root), std::set<std::string>{"mine"});

  // A rollout that fails after its output folder was set up leaves nothing behind.
  const auto failed = run_xwam(rollout_to(root / "new") + " --start-frame 100000");
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_EQ(names_in(root), std::set<std::string>{"mine"}) << failed.err;

  std::ofstream(root / "file.txt") << "a file";
  expect_refused(run_xwam(rollout_to(root / "file.txt")), root / "file.txt");
  EXPECT_EQ(slurp((root / "file.txt").string()), "a file");
  // --out . in a folder of the user's: never emptied, even with --force.
  const std::string dot = "cd " + mine.string() + " && " + XWAM_CLI + " " + rollout_to(".") + " --force >/dev/null 2>&1";
  EXPECT_NE(std::system(dot.c_str()), 0);
  expect_users_folder(mine);
  EXPECT_EQ(names_in(mine), (std::set<std::string>{"sub", "thesis.tex"}));
  fs::remove_all(root);
}

TEST(OutputSafety, RolloutReplacesItsOwnOutputAndForceMovesAUsersAside) {
  const fs::path root = temp_dir(), out = root / "run";
  auto r = run_xwam(rollout_to(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  EXPECT_TRUE(fs::exists(out / "rollout.json"));
  r = run_xwam(rollout_to(out) + " --seed 3");  // its own output: replaced
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp((out / "rollout.json").string()).find("\"seed\": 3"), std::string::npos);

  std::ofstream(out / "notes.txt") << "my notes";  // now it holds a user's file too
  r = run_xwam(rollout_to(out));
  expect_refused(r, out);
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
  r = run_xwam(rollout_to(out) + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp((root / "run.old-1" / "notes.txt").string()), "my notes");
  EXPECT_FALSE(fs::exists(out / "notes.txt"));
  EXPECT_EQ(names_in(root), (std::set<std::string>{"run", "run.old-1"}));
  fs::remove_all(root);
}

// The rollout killed at moments spread over its whole run (loading, denoising, writing, swapping).
TEST(OutputSafety, RolloutKilledAtAnyMomentLosesNothing) {
  const fs::path root = temp_dir(), out = root / "run", mine = root / "mine";
  users_folder(mine);
  ASSERT_EQ(run_xwam(rollout_to(out)).exit_code, 0);
  const std::string first = slurp((out / "rollout.json").string());
  // How long a whole rollout takes here, to spread the kills over it.
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_xwam(rollout_to(out)).exit_code, 0);
  const double whole_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  for (int round = 0; round < 6; ++round) {
    const pid_t child = ::fork();
    if (child == 0) {
      const std::string cmd = std::string("exec ") + XWAM_CLI + " " + rollout_to(out) + " >/dev/null 2>&1";
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(whole_ms * (0.3 + 0.15 * round)));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    SCOPED_TRACE("killed at " + std::to_string(0.3 + 0.15 * round) + " of a rollout");
    expect_users_folder(mine);
    // The next rollout recovers whatever the kill left and writes a whole output.
    ASSERT_EQ(run_xwam(rollout_to(out)).exit_code, 0);
    EXPECT_EQ(slurp((out / "rollout.json").string()).size() > 0, true);
    EXPECT_EQ(names_in(root), (std::set<std::string>{"mine", "run"}));
  }
  EXPECT_FALSE(first.empty());
  fs::remove_all(root);
}

TEST(OutputSafety, ConvertFuseExportAndTrainRefuseAUsersFolder) {
  const fs::path root = temp_dir(), mine = root / "mine";
  users_folder(mine);
  expect_refused(run_xwam("convert --in " + kCheckpoint + " --out " + mine.string() + " --dtype float16"), mine);
  expect_refused(run_xwam("fuse --scene " + kScene + ":0 --frames 0 --out " + mine.string()), mine);
  expect_refused(run_xwam("export --format xwam --scene " + kScene + ":0 --out " + mine.string()), mine);
  expect_users_folder(mine);
  EXPECT_EQ(names_in(root), std::set<std::string>{"mine"});

  // A run folder may hold other files, but not a config.json xwam did not write.
  std::ofstream(mine / "config.json") << "{\"mine\": true}";
  const auto r = run_xwam("train --config " + std::string(XWAM_SOURCE_DIR) + "/assets/configs/tiny-train.json --data " +
                          kScene + " --out " + mine.string());
  expect_refused(r, mine);
  EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
  EXPECT_EQ(slurp((mine / "config.json").string()), "{\"mine\": true}");
  expect_users_folder(mine);

  // A fresh folder works, and converting again replaces the checkpoint xwam wrote there.
  const fs::path ckpt = root / "ckpt";
  ASSERT_EQ(run_xwam("convert --in " + kCheckpoint + " --out " + ckpt.string() + " --dtype float16").exit_code, 0);
  const auto again = run_xwam("convert --in " + kCheckpoint + " --out " + ckpt.string() + " --dtype float32");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::exists(ckpt / "model.safetensors"));
  // ... but a rollout is not written over a checkpoint.
  expect_refused(run_xwam(rollout_to(ckpt)), ckpt);
  EXPECT_TRUE(fs::exists(ckpt / "model.safetensors"));
  fs::remove_all(root);
}
