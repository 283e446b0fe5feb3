// claim_run_folder: a training run never writes over a user's files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/train/RunFolder.h"

namespace fs = std::filesystem;
using xwam::train::claim_run_folder;

namespace {
fs::path fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_runfolder_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string refusal(const fs::path& dir, bool resume, bool force = false) {
  try {
    claim_run_folder(dir.string(), resume, {force});
  } catch (const xwam::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(RunFolder, AUsersConfigIsRefusedAndKept) {
  const fs::path run = fresh("config");
  write(run / "config.json", "{\"my\": \"experiment\"}");
  const std::string message = refusal(run, false);
  EXPECT_NE(message.find("config.json"), std::string::npos) << message;
  EXPECT_NE(message.find(run.string()), std::string::npos) << message;
  EXPECT_EQ(refusal(run, true), message);  // --resume does not make it ours either
  EXPECT_EQ(read(run / "config.json"), "{\"my\": \"experiment\"}");
  fs::remove_all(run);
}

TEST(RunFolder, OtherFilesStayAndTheFolderIsClaimed) {
  const fs::path run = fresh("others");
  write(run / "studio-config.json", "the studio's");
  write(run / "notes.txt", "mine");
  EXPECT_EQ(refusal(run, false), "");
  EXPECT_EQ(xwam::output_kind(run.string()), std::optional<std::string>("train-run"));
  EXPECT_EQ(read(run / "notes.txt"), "mine");
  EXPECT_EQ(refusal(run, false), "");  // claimed, no checkpoint yet: may start over
  fs::remove_all(run);
}

TEST(RunFolder, ARunWithCheckpointsContinuesOnlyWithResume) {
  const fs::path run = fresh("resume");
  claim_run_folder(run.string(), false);
  write(run / "checkpoints" / "latest", "step_00000004\n");
  const std::string message = refusal(run, false);
  EXPECT_NE(message.find("--resume"), std::string::npos) << message;
  EXPECT_EQ(refusal(run, true), "");
  EXPECT_EQ(read(run / "checkpoints" / "latest"), "step_00000004\n");
  fs::remove_all(run);
}

TEST(RunFolder, ForceMovesTheFolderAside) {
  const fs::path run = fresh("force");
  write(run / "config.json", "theirs");
  const std::string moved = claim_run_folder(run.string(), false, {true});
  EXPECT_EQ(moved, run.string() + ".old-1");
  EXPECT_EQ(read(fs::path(moved) / "config.json"), "theirs");
  EXPECT_FALSE(fs::exists(run / "config.json"));
  EXPECT_EQ(xwam::output_kind(run.string()), std::optional<std::string>("train-run"));
  fs::remove_all(run);
  fs::remove_all(moved);
}

TEST(RunFolder, AFileIsRefused) {
  const fs::path run = fresh("file");
  write(run, "a file");
  EXPECT_NE(refusal(run, false).find("is a file"), std::string::npos);
  EXPECT_EQ(read(run), "a file");
  fs::remove(run);
}
