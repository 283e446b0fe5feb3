// Every input that once crashed a fuzzer (fuzz/regressions/<target>/) replayed through the same entry
// in the normal build: each must end in an xwam::Error naming a file of the input, never in another
// exception or a crash. Seeds (fuzz/corpus/<target>/) must be read without any error.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "fuzz/FuzzTargets.h"
#include "tests/fuzz/ReplayInput.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

const fs::path kFuzzDir = fs::path(XWAM_SOURCE_DIR) / "fuzz";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& f : fs::directory_iterator(dir))
      if (f.is_regular_file() && f.path().filename() != "README.md") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& t : fuzz::targets()) names.push_back(t.name);
  return names;
}

class FuzzTarget : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(FuzzTarget, RegressionInputsEndInANamedError) {
  const auto* target = fuzz::find_target(GetParam());
  ASSERT_NE(target, nullptr);
  for (const auto& input : files_in(kFuzzDir / "regressions" / GetParam())) {
    SCOPED_TRACE(input.string());
    const auto r = test::replay_input(*target, input.string());
    EXPECT_EQ(r.other, "") << "an exception other than xwam::Error escaped";
    EXPECT_FALSE(r.accepted) << "a crash input is damaged: it should be refused";
    EXPECT_NE(r.error.find(r.scratch_dir), std::string::npos) << "the error names no input file: " << r.error;
  }
}

TEST_P(FuzzTarget, SeedCorpusReadsCleanly) {
  const auto* target = fuzz::find_target(GetParam());
  ASSERT_NE(target, nullptr);
  const auto seeds = files_in(kFuzzDir / "corpus" / GetParam());
  ASSERT_FALSE(seeds.empty()) << "no seeds: run build/tests/xwam_fuzz_seeds fuzz/corpus";
  for (const auto& input : seeds) {
    SCOPED_TRACE(input.string());
    const auto r = test::replay_input(*target, input.string());
    EXPECT_EQ(r.other, "");
    // Manifests name frame files the seed does not carry; they must get past the JSON itself.
    if (GetParam() == "manifest")
      EXPECT_TRUE(r.accepted || r.error.find("JSON") == std::string::npos) << r.error;
    else
      EXPECT_TRUE(r.accepted) << r.error;
  }
}

INSTANTIATE_TEST_SUITE_P(Fuzz, FuzzTarget, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

// A folder under fuzz/regressions/ that names no target would never be replayed.
TEST(FuzzRegressions, EveryFolderNamesATarget) {
  const auto names = target_names();
  const std::set<std::string> known(names.begin(), names.end());
  for (const auto& dir : fs::directory_iterator(kFuzzDir / "regressions"))
    if (dir.is_directory()) EXPECT_TRUE(known.count(dir.path().filename().string())) << dir.path();
}
