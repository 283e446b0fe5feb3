// PNG and raw depth files: round trips, interop with libpng (through Open3D), refusals naming the file.
#include <gtest/gtest.h>
#include <open3d/geometry/Image.h>
#include <open3d/io/ImageIO.h>

#include <fstream>
#include <random>

#include "TempDir.h"
#include "engine/core/Error.h"
#include "engine/geometry/ImageFiles.h"

using namespace xwam;
namespace fs = std::filesystem;

TEST(ImageFiles, PngRoundTripAndInteropWithLibpng) {
  const auto dir = test::temp_dir();
  std::mt19937 rng(3);
  for (auto [W, H] : {std::pair{1, 1}, std::pair{17, 9}, std::pair{64, 48}}) {
    std::vector<uint8_t> img(static_cast<size_t>(W) * H * 3);
    for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>((i % 3 == 0) ? rng() % 256 : (i * 7) % 256);
    const std::string ours = (dir / "ours.png").string();
    geometry::write_png(ours, img.data(), W, H);
    const auto back = geometry::read_png(ours);
    EXPECT_EQ(back.width, W);
    EXPECT_EQ(back.height, H);
    EXPECT_EQ(back.pixels, img);

    // libpng (through Open3D) reads ours and writes files ours reads (with its own filter choices).
    open3d::geometry::Image o3d;
    ASSERT_TRUE(open3d::io::ReadImage(ours, o3d));
    ASSERT_EQ(o3d.data_, img);
    const std::string theirs = (dir / "theirs.png").string();
    ASSERT_TRUE(open3d::io::WriteImage(theirs, o3d));
    EXPECT_EQ(geometry::read_png(theirs).pixels, img);
  }
}

TEST(ImageFiles, GreyPngsAreReplicatedAndCorruptFilesNamed) {
  const auto dir = test::temp_dir();
  open3d::geometry::Image grey;
  grey.Prepare(5, 4, 1, 1);
  for (size_t i = 0; i < grey.data_.size(); ++i) grey.data_[i] = static_cast<uint8_t>(i * 10);
  ASSERT_TRUE(open3d::io::WriteImage((dir / "g.png").string(), grey));
  const auto rgb = geometry::read_png((dir / "g.png").string());
  ASSERT_EQ(rgb.pixels.size(), 60u);
  EXPECT_EQ(rgb.pixels[3 * 7 + 0], 70);
  EXPECT_EQ(rgb.pixels[3 * 7 + 2], 70);

  std::ofstream(dir / "bad.png") << "definitely not a png";
  try {
    geometry::read_png((dir / "bad.png").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.png"), std::string::npos);
  }
}

TEST(ImageFiles, RawDepthRoundTripAndSizeCheck) {
  const auto dir = test::temp_dir();
  const std::vector<float> d = {0.0f, 1.5f, 2.25f, 1e-3f, 7.0f, 0.5f};
  geometry::write_depth_f32((dir / "d.f32").string(), d.data(), 3, 2);
  EXPECT_EQ(fs::file_size(dir / "d.f32"), 24u);
  EXPECT_EQ(geometry::read_depth_f32((dir / "d.f32").string(), 3, 2), d);
  EXPECT_THROW(geometry::read_depth_f32((dir / "d.f32").string(), 4, 2), Error);
}

// Found by fuzzing: rows of an image this big once addressed past the caller's buffer and overflowed
// the pointer; the size is refused by name before any row is touched.
TEST(ImageFiles, HugePngDimensionsAreRefusedBeforeWriting) {
  const auto dir = test::temp_dir();
  const std::string path = (dir / "huge.png").string();
  const uint8_t pixel[3] = {1, 2, 3};
  for (auto [W, H] : {std::pair{1 << 30, 1 << 30}, std::pair{2147483647, 2}, std::pair{1, 2147483647}}) {
    try {
      geometry::write_png(path, pixel, W, H);
      ADD_FAILURE() << W << "x" << H << " was written";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("exceeds"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(path));
  }
}
