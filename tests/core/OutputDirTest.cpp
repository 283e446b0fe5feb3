// OutputDir and AtomicFile keep a user's files: refusals, --force moving aside, and SIGKILL at every
// step of the swap (and at random moments) followed by the recovery the next writer does.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"

namespace fs = std::filesystem;
using xwam::OutputDir;

namespace {

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / ("xwam_core_" + std::string(info->test_suite_name()) + "_" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A rollout-like output: `files` files all holding `tag`.
void fill(const std::string& dir, const std::string& tag, int files = 3) {
  for (int i = 0; i < files; ++i) write(fs::path(dir) / "rgb" / ("f" + std::to_string(i)), tag);
  write(fs::path(dir) / "manifest.json", tag);
}

// "" when `dir` holds a complete output all tagged alike, else what is wrong.
std::string complete_tag(const fs::path& dir, int files = 3) {
  if (!fs::exists(dir / "manifest.json")) return "";
  const std::string tag = read(dir / "manifest.json");
  for (int i = 0; i < files; ++i)
    if (read(dir / "rgb" / ("f" + std::to_string(i))) != tag) return "";
  return tag;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string refusal(const std::string& target, const std::string& kind, xwam::OutputOptions options = {}) {
  try {
    OutputDir out(target, kind, options);
  } catch (const xwam::Error& e) {
    return e.what();
  }
  return "";
}

pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST(OutputDir, WritesANewFolderWholeAndReplacesItsOwn) {
  const fs::path root = temp_dir(), target = root / "run";
  {
    OutputDir out(target.string(), "rollout");
    EXPECT_FALSE(fs::exists(target));
    EXPECT_EQ(fs::path(out.path()).parent_path(), root);  // a sibling, so rename() stays on one file system
    fill(out.path(), "first");
    EXPECT_EQ(out.commit(), "");
  }
  EXPECT_EQ(complete_tag(target), "first");
  EXPECT_EQ(xwam::output_kind(target.string()), std::optional<std::string>("rollout"));
  {
    OutputDir out(target.string(), "rollout");
    fill(out.path(), "second", 2);  // fewer frames: nothing of the first may stay behind
    out.commit();
  }
  EXPECT_EQ(complete_tag(target, 2), "second");
  EXPECT_FALSE(fs::exists(target / "rgb" / "f2"));
  EXPECT_EQ(names_in(root), std::set<std::string>{"run"});
}

TEST(OutputDir, AnEmptyFolderIsReplaced) {
  const fs::path root = temp_dir(), target = root / "empty";
  fs::create_directories(target);
  OutputDir out(target.string(), "clouds");
  fill(out.path(), "x");
  out.commit();
  EXPECT_EQ(complete_tag(target), "x");
}

TEST(OutputDir, RefusesAUsersFolderAndLeavesItAlone) {
  const fs::path root = temp_dir(), target = root / "mine";
  write(target / "thesis.tex", "years of work");
  const std::string message = refusal(target.string(), "rollout");
  EXPECT_NE(message.find(target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("thesis.tex"), std::string::npos) << message;
  EXPECT_NE(message.find("--force"), std::string::npos) << message;
  EXPECT_EQ(read(target / "thesis.tex"), "years of work");
  EXPECT_EQ(names_in(root), std::set<std::string>{"mine"});  // no temporary left either
}

TEST(OutputDir, RefusesOurOutputWithAUsersFileAdded) {
  const fs::path root = temp_dir(), target = root / "run";
  {
    OutputDir out(target.string(), "rollout");
    fill(out.path(), "ours");
    out.commit();
  }
  write(target / "notes.txt", "my notes on this rollout");
  const std::string message = refusal(target.string(), "rollout");
  EXPECT_NE(message.find("notes.txt"), std::string::npos) << message;
  EXPECT_EQ(read(target / "notes.txt"), "my notes on this rollout");
  EXPECT_EQ(complete_tag(target), "ours");
}

TEST(OutputDir, RefusesOutputOfAnotherKind) {
  const fs::path root = temp_dir(), target = root / "ckpt";
  {
    OutputDir out(target.string(), "checkpoint");
    fill(out.path(), "weights");
    out.commit();
  }
  // e.g. `xwam rollout --out CKPT --checkpoint CKPT`
  const std::string message = refusal(target.string(), "rollout");
  EXPECT_NE(message.find("holds an xwam checkpoint"), std::string::npos) << message;
  EXPECT_EQ(complete_tag(target), "weights");
}

TEST(OutputDir, RefusesAFileASymlinkAndTheCurrentFolder) {
  const fs::path root = temp_dir();
  write(root / "file.txt", "a user's file");
  EXPECT_NE(refusal((root / "file.txt").string(), "rollout").find("is a file"), std::string::npos);
  EXPECT_EQ(read(root / "file.txt"), "a user's file");
  fs::create_directory_symlink(root, root / "link");
  EXPECT_NE(refusal((root / "link").string(), "rollout").find("symbolic link"), std::string::npos);

  const fs::path cwd = fs::current_path();
  fs::create_directories(root / "inside" / "deeper");
  write(root / "inside" / "keep.txt", "keep");
  fs::current_path(root / "inside" / "deeper");
  const std::string dot = refusal(".", "rollout", {true});
  const std::string parent = refusal("..", "rollout", {true});
  fs::current_path(cwd);
  EXPECT_NE(dot.find("current folder"), std::string::npos) << dot;  // even with --force
  EXPECT_NE(parent.find("current folder"), std::string::npos) << parent;
  EXPECT_EQ(read(root / "inside" / "keep.txt"), "keep");
}

TEST(OutputDir, ForceMovesAUsersFolderAsideAndDeletesNothing) {
  const fs::path root = temp_dir(), target = root / "mine";
  write(target / "thesis.tex", "years of work");
  write(root / "mine.old-1" / "older.txt", "an older aside");
  OutputDir out(target.string(), "rollout", {true});
  fill(out.path(), "new");
  const std::string moved = out.commit();
  EXPECT_EQ(moved, (root / "mine.old-2").string());
  EXPECT_EQ(read(root / "mine.old-2" / "thesis.tex"), "years of work");
  EXPECT_EQ(read(root / "mine.old-1" / "older.txt"), "an older aside");
  EXPECT_EQ(complete_tag(target), "new");
}

TEST(OutputDir, AFailedWriteLeavesTheTargetAndNoTemporary) {
  const fs::path root = temp_dir(), target = root / "run";
  {
    OutputDir out(target.string(), "rollout");
    fill(out.path(), "old");
    out.commit();
  }
  try {
    OutputDir out(target.string(), "rollout");
    fill(out.path(), "half");
    throw std::runtime_error("the model failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(complete_tag(target), "old");
  EXPECT_EQ(names_in(root), std::set<std::string>{"run"});
}

// SIGKILL inside commit() at each of its steps, replacing our own output and (forced) a user's folder.
// Whatever the step, the target or its old version is whole, the user's folder exists somewhere
// complete, and the next writer's recovery leaves no temporary behind.
TEST(OutputDir, SigkillAtEveryStepOfTheSwapLosesNothing) {
  for (const bool users : {false, true}) {
    for (const std::string at : {"before-commit", "checked", "moved-old", "swapped"}) {
      SCOPED_TRACE((users ? "user's folder, killed at " : "own output, killed at ") + at);
      const fs::path root = temp_dir(), target = root / "out";
      write(root / "neighbour" / "data.bin", "unrelated");
      if (users) {
        write(target / "thesis.tex", "years of work");
      } else {
        OutputDir out(target.string(), "rollout");
        fill(out.path(), "old");
        out.commit();
      }
      const pid_t child = ::fork();
      if (child == 0) {
        OutputDir::set_step_hook([&](const char* step) {
          if (at == step) ::raise(SIGKILL);
        });
        OutputDir out(target.string(), "rollout", {users});
        fill(out.path(), "new");
        if (at == "before-commit") ::raise(SIGKILL);
        out.commit();
        ::_exit(0);
      }
      int status = 0;
      ::waitpid(child, &status, 0);
      ASSERT_TRUE(WIFSIGNALED(status));

      if (users) {
        const bool in_place = read(target / "thesis.tex") == "years of work";
        const bool aside = read(root / "out.old-1" / "thesis.tex") == "years of work";
        EXPECT_TRUE(in_place || aside);
        if (at == "swapped") EXPECT_EQ(complete_tag(target), "new");
      } else {
        const std::string tag = complete_tag(target);
        EXPECT_TRUE(tag == "old" || tag == "new" || !fs::exists(target)) << tag;
      }
      { OutputDir next(target.string(), "rollout", {true}); }  // the next writer recovers first
      if (!users) EXPECT_EQ(complete_tag(target), at == "swapped" ? "new" : "old");
      std::set<std::string> left = names_in(root);
      left.erase("out"), left.erase("out.old-1"), left.erase("neighbour");
      EXPECT_TRUE(left.empty()) << *left.begin();
      EXPECT_EQ(read(root / "neighbour" / "data.bin"), "unrelated");
    }
  }
}

// Kills at random moments of a writer that replaces its own output again and again.
TEST(OutputDir, SigkillAtRandomMomentsLosesNothing) {
  const fs::path root = temp_dir(), target = root / "out";
  write(root / "neighbour" / "data.bin", "unrelated");
  std::mt19937 rng(7);
  int generation = 0;
  for (int round = 0; round < 40; ++round) {
    const pid_t child = ::fork();
    if (child == 0) {
      for (int g = generation;; ++g) {
        OutputDir out(target.string(), "rollout");
        fill(out.path(), "gen" + std::to_string(g), 20);
        out.commit();
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(200, 20000)(rng)));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    {
      OutputDir next(target.string(), "rollout");  // recovery by the next writer
    }
    if (fs::exists(target)) {
      const std::string tag = complete_tag(target, 20);
      EXPECT_FALSE(tag.empty()) << "round " << round << ": a half-written output is in place";
    }
    std::set<std::string> left = names_in(root);
    left.erase("out"), left.erase("neighbour");
    EXPECT_TRUE(left.empty()) << "round " << round << ": " << *left.begin();
    ++generation;
  }
  EXPECT_EQ(read(root / "neighbour" / "data.bin"), "unrelated");
}

TEST(AtomicFile, TemporariesOfKilledWritersAreRemoved) {
  const fs::path root = temp_dir();
  const fs::path dead = root / ("latest.tmp." + std::to_string(dead_pid()));
  const fs::path live = root / ("latest.tmp." + std::to_string(::getppid()));
  const fs::path other = root / ("other.tmp." + std::to_string(dead_pid()));
  for (const auto& p : {dead, live, other}) write(p, "x");
  xwam::AtomicFile out((root / "latest").string());
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));   // a writer that still runs keeps its temporary
  EXPECT_TRUE(fs::exists(other));  // another target's temporaries are not ours to judge
}

TEST(RequireNewFolder, RefusesAFolderWithFiles) {
  const fs::path root = temp_dir();
  write(root / "full" / "a.txt", "a");
  EXPECT_THROW(xwam::require_new_folder((root / "full").string()), xwam::Error);
  EXPECT_EQ(read(root / "full" / "a.txt"), "a");
  xwam::require_new_folder((root / "new" / "deep").string());
  EXPECT_TRUE(fs::is_directory(root / "new" / "deep"));
}

TEST(OutputDir, WhatXwamAddsLaterStaysOurs) {
  const fs::path root = temp_dir(), target = root / "ckpt";
  {
    OutputDir out(target.string(), "checkpoint");
    fill(out.path(), "weights");
    out.commit();
  }
  fs::create_directories(target / "text-contexts");  // the text-context cache, written beside the weights
  xwam::add_output_entry(target.string(), "text-contexts");
  OutputDir again(target.string(), "checkpoint");
  fill(again.path(), "new weights");
  again.commit();
  EXPECT_EQ(complete_tag(target), "new weights");
}
