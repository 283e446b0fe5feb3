// What `xwam` prints when inputs are bad: one line naming the file and the key, exit status 1, no
// LibTorch backtrace, and nothing written to --out.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "CliRunner.h"
#include "engine/io/Safetensors.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_cli_errors_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The demo checkpoint copied to `dir` with one value of `tensor` set to `value`.
void write_spoiled_demo(const fs::path& dir, const std::string& tensor, float value) {
  const fs::path demo = fs::path(XWAM_SOURCE_DIR) / "assets/checkpoints/demo";
  fs::copy_file(demo / "config.json", dir / "config.json");
  io::TensorMap tensors;
  for (auto& [name, t] : io::read_safetensors((demo / "model.safetensors").string())) tensors[name] = t.clone();
  ASSERT_TRUE(tensors.count(tensor)) << tensor;
  tensors[tensor].view({-1})[1] = value;
  io::write_safetensors((dir / "model.safetensors").string(), tensors);
}

void expect_clean_error(const xwam::testing::CliResult& r, const std::vector<std::string>& names) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const auto& n : names) EXPECT_NE(r.err.find(n), std::string::npos) << "'" << n << "' not in: " << r.err;
  EXPECT_EQ(r.err.find("Exception raised from"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("frame #"), std::string::npos) << r.err;
}
}  // namespace

TEST(ErrorReport, RolloutWithNonFiniteWeightsNamesTheTensorAndWritesNothing) {
  const fs::path dir = fresh_dir("nan_weights");
  fs::create_directories(dir / "ckpt");
  const std::string tensor = "model.patch_embedding.weight";
  write_spoiled_demo(dir / "ckpt", tensor, std::numeric_limits<float>::quiet_NaN());
  const std::string scene = (fs::path(XWAM_SOURCE_DIR) / "assets/scenes/default.h5").string();
  const auto r = xwam::testing::run_xwam("rollout --checkpoint " + (dir / "ckpt").string() + " --scene " + scene +
                                   ":0 --steps-action 1 --steps-video 1 --out " + (dir / "out").string());
  expect_clean_error(r, {(dir / "ckpt").string(), "tensor patch_embedding.weight", "non-finite"});
  EXPECT_FALSE(fs::exists(dir / "out"));
  EXPECT_FALSE(fs::exists(dir / "out.partial"));
  EXPECT_EQ(r.out, "");
  fs::remove_all(dir);
}
