// confined_path / check_file_name: what a file may point at, and errors naming file, key and value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / ("xwam_core_" + std::string(info->name()));
  fs::remove_all(dir);
  fs::create_directories(dir / "inside" / "sub");
  std::ofstream(dir / "inside" / "sub" / "a.csv") << "x\n";
  std::ofstream(dir / "secret.txt") << "secret\n";
  return dir;
}

// The message of the Error `f` throws; fails the test when it throws none.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no xwam::Error thrown";
  return "";
}
}  // namespace

TEST(ConfinedPath, ResolvesPathsInsideTheFolder) {
  const fs::path dir = fresh_dir() / "inside";
  EXPECT_EQ(confined_path(dir.string(), "sub/a.csv", "m.json", "states_csv"), (dir / "sub/a.csv").string());
  EXPECT_EQ(confined_path(dir.string(), "./sub/../sub/a.csv", "m.json", "states_csv"), (dir / "sub/a.csv").string());
  // Files that do not exist yet are fine: the reader reports them as missing.
  EXPECT_EQ(confined_path(dir.string(), "later.csv", "m.json", "k"), (dir / "later.csv").string());
}

TEST(ConfinedPath, RefusesAbsolutePathsAndEscapesNamingFileKeyAndValue) {
  const fs::path dir = fresh_dir() / "inside";
  std::string msg = error_of([&] { confined_path(dir.string(), "/etc/passwd", "dir/manifest.json", "states_csv"); });
  EXPECT_NE(msg.find("dir/manifest.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key states_csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'/etc/passwd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("absolute"), std::string::npos) << msg;

  msg = error_of([&] { confined_path(dir.string(), "../../etc/passwd", "m.json", "files[0]"); });
  EXPECT_NE(msg.find("key files[0]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'../../etc/passwd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("leaves the folder"), std::string::npos) << msg;

  for (const char* bad : {"..", "sub/../..", "sub/../../secret.txt", "", ".", "a\nb"})
    EXPECT_THROW(confined_path(dir.string(), bad, "m.json", "k"), Error) << bad;
}

TEST(ConfinedPath, RefusesSymbolicLinksLeadingOutside) {
  const fs::path root = fresh_dir(), dir = root / "inside";
  fs::create_symlink(root / "secret.txt", dir / "link.csv");
  fs::create_directory_symlink(root, dir / "up");
  fs::create_symlink(dir / "sub" / "a.csv", dir / "near.csv");

  std::string msg = error_of([&] { confined_path(dir.string(), "link.csv", "m.json", "actions_csv"); });
  EXPECT_NE(msg.find("key actions_csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("symbolic link"), std::string::npos) << msg;
  EXPECT_THROW(confined_path(dir.string(), "up/secret.txt", "m.json", "k"), Error);
  // A link that stays inside is followed.
  EXPECT_NO_THROW(confined_path(dir.string(), "near.csv", "m.json", "k"));
}

TEST(ConfinedPath, FileNamesRefuseSeparatorsAndDots) {
  EXPECT_NO_THROW(check_file_name("robot0_eye_in_hand", "f.h5", "camera name"));
  for (const char* bad : {"..", ".", "", "a/b", "../x", "a\\b", "tab\there"}) {
    const std::string msg = error_of([&] { check_file_name(bad, "f.h5", "camera name"); });
    EXPECT_NE(msg.find("f.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("key camera name"), std::string::npos) << msg;
  }
}

TEST(ConfinedPath, QuotedValuesAreShortAndEscaped) {
  EXPECT_EQ(quoted_value("abc"), "'abc'");
  EXPECT_EQ(quoted_value("a\nb"), "'a\\x0ab'");
  const std::string q = quoted_value(std::string(500, 'x'), 10);
  EXPECT_EQ(q, "'xxxxxxxxxx…'");
}
