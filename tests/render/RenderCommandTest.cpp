// `xwam render` end to end: PNG and mp4 of the shipped scene, clear errors for bad input and for a
// machine without a Vulkan device.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int status;
  std::string out, err;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_render_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Result run_xwam(const std::string& arguments, const fs::path& dir, const std::string& env = "") {
  const std::string command = env + " " + std::string(XWAM_BINARY_DIR) + "/bin/xwam " + arguments + " > " +
                              (dir / "stdout.txt").string() + " 2> " + (dir / "stderr.txt").string();
  const int status = std::system(command.c_str());
  return {status, read_text(dir / "stdout.txt"), read_text(dir / "stderr.txt")};
}

const std::string kScene = std::string(XWAM_SOURCE_DIR) + "/assets/scenes/default.h5:0";

// Width and height from a PNG's IHDR chunk.
std::pair<int, int> png_size(const fs::path& path) {
  const std::string bytes = read_text(path);
  if (bytes.size() < 24 || bytes.compare(1, 3, "PNG") != 0) return {0, 0};
  auto be32 = [&](size_t o) {
    return (uint8_t(bytes[o]) << 24) | (uint8_t(bytes[o + 1]) << 16) | (uint8_t(bytes[o + 2]) << 8) | uint8_t(bytes[o + 3]);
  };
  return {int(be32(16)), int(be32(20))};
}

}  // namespace

TEST(RenderCommand, WritesPngOfTheShippedScene) {
  const fs::path dir = temp_dir("png");
  const Result r = run_xwam("render --scene " + kScene + " --frame 3 --png " + (dir / "r.png").string() +
                                " --width 320 --height 200 --color depth --view top",
                            dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(png_size(dir / "r.png"), std::make_pair(320, 200));
}

TEST(RenderCommand, WritesVideoOfEveryFrame) {
  const fs::path dir = temp_dir("video");
  const Result r = run_xwam("render --scene " + kScene + " --video " + (dir / "r.mp4").string() +
                                " --width 160 --height 120 --view side --json",
                            dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"frames\": 64"), std::string::npos) << r.out;
  EXPECT_GT(fs::file_size(dir / "r.mp4"), 1000u);
}

// Both point paths on request; the JSON names the one drawn; an unknown path is named.
TEST(RenderCommand, PointPathOption) {
  const fs::path dir = temp_dir("path");
  for (const std::string path : {"hardware", "compute"}) {
    const Result r = run_xwam("render --scene " + kScene + " --frame 3 --png " + (dir / (path + ".png")).string() +
                                  " --width 160 --height 120 --no-overlay --json --point-path " + path,
                              dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("\"point_path\": \"" + path + "\""), std::string::npos) << r.out;
    EXPECT_EQ(png_size(dir / (path + ".png")), std::make_pair(160, 120));
  }
  const Result bad = run_xwam("render --scene " + kScene + " --frame 3 --png " + (dir / "bad.png").string() +
                                  " --point-path splats",
                              dir);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("unknown point path 'splats'"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
}

TEST(RenderCommand, MissingVulkanDeviceIsAClearError) {
  const fs::path dir = temp_dir("nodevice");
  const Result r = run_xwam("render --scene " + kScene + " --frame 0 --png " + (dir / "r.png").string(), dir,
                            "VK_ICD_FILENAMES=/nonexistent/icd.json VK_DRIVER_FILES=/nonexistent/icd.json");
  EXPECT_TRUE(WIFEXITED(r.status)) << "crashed instead of exiting";
  EXPECT_NE(WEXITSTATUS(r.status), 0);
  EXPECT_NE(r.err.find("no Vulkan device"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "r.png"));
}

TEST(RenderCommand, BadInputIsNamed) {
  const fs::path dir = temp_dir("bad");
  Result r = run_xwam("render --scene " + kScene + " --frame 64 --png " + (dir / "r.png").string(), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("frame 64 is out of range"), std::string::npos) << r.err;

  fs::create_directories(dir / "empty");
  r = run_xwam("render --cloud " + (dir / "empty").string() + " --frame 0 --png " + (dir / "r.png").string(), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find((dir / "empty").string()), std::string::npos) << r.err;

  r = run_xwam("render --scene " + kScene + " --frame 0 --png " + (dir / "r.png").string() + " --color sepia", dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("unknown colour mode 'sepia'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "r.png"));
}

// Two cloud directories from `xwam fuse` (one relabelled "predicted"), side by side; error colouring
// needs per-point errors, which these clouds do not have.
TEST(RenderCommand, TwoCloudDirectoriesSideBySide) {
  const fs::path dir = temp_dir("two");
  const std::string rec = (dir / "rec").string(), pred = (dir / "pred").string();
  Result r = run_xwam("fuse --scene " + kScene + " --out " + rec + " --every 16", dir);
  ASSERT_EQ(r.status, 0) << r.err;
  fs::copy(rec, pred);
  std::string manifest = read_text(dir / "pred" / "sequence.json");
  const size_t at = manifest.find("\"recorded\"");
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at, 10, "\"predicted\"");
  std::ofstream(dir / "pred" / "sequence.json") << manifest;

  r = run_xwam("render --cloud " + pred + " " + rec + " --side-by-side --frame 3 --png " + (dir / "r.png").string() +
                   " --width 400 --height 200",
               dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(png_size(dir / "r.png"), std::make_pair(400, 200));

  r = run_xwam("render --cloud " + rec + " " + rec + " --frame 0 --png " + (dir / "r2.png").string(), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("one predicted and one recorded"), std::string::npos) << r.err;

  r = run_xwam("render --cloud " + pred + " --color error --frame 0 --png " + (dir / "r3.png").string(), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("needs per-point errors"), std::string::npos) << r.err;
}
