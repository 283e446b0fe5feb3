// PLY files: the renderer's vertex layout, round trips, opening in Open3D, refusals naming the file.
#include <gtest/gtest.h>
#include <open3d/geometry/PointCloud.h>
#include <open3d/io/PointCloudIO.h>

#include <fstream>

#include "TempDir.h"
#include "engine/core/Error.h"
#include "engine/geometry/PlyFile.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
geometry::CloudFrame small_cloud(bool with_error) {
  geometry::CloudFrame c;
  for (int i = 0; i < 50; ++i) {
    c.xyz.insert(c.xyz.end(), {0.01f * i, -0.5f + 0.02f * i, 1.0f / (i + 1)});
    c.rgb.insert(c.rgb.end(), {static_cast<uint8_t>(i), static_cast<uint8_t>(5 * i), static_cast<uint8_t>(255 - i)});
    c.view.push_back(static_cast<uint8_t>(i % 3));
    if (with_error) c.error.push_back(0.001f * i);
  }
  return c;
}
}  // namespace

TEST(PlyFile, HeaderFollowsTheRendererLayout) {
  const auto dir = test::temp_dir();
  geometry::write_ply((dir / "a.ply").string(), small_cloud(true));
  std::ifstream in(dir / "a.ply", std::ios::binary);
  std::string header, line;
  while (std::getline(in, line) && line != "end_header") header += line + "\n";
  const std::string expected_tail =
      "element vertex 50\nproperty float x\nproperty float y\nproperty float z\n"
      "property uchar red\nproperty uchar green\nproperty uchar blue\nproperty float error\nproperty uchar view\n";
  EXPECT_EQ(header.rfind("ply\nformat binary_little_endian 1.0\n", 0), 0u) << header;
  EXPECT_NE(header.find(expected_tail), std::string::npos) << header;
  EXPECT_EQ(fs::file_size(dir / "a.ply"), header.size() + std::string("end_header\n").size() + 50 * 20);
}

TEST(PlyFile, RoundTripsAndOpensInOpen3d) {
  const auto dir = test::temp_dir();
  for (bool with_error : {false, true}) {
    const auto cloud = small_cloud(with_error);
    const std::string path = (dir / "b.ply").string();
    geometry::write_ply(path, cloud);
    const auto back = geometry::read_ply(path);
    EXPECT_EQ(back.xyz, cloud.xyz);
    EXPECT_EQ(back.rgb, cloud.rgb);
    EXPECT_EQ(back.view, cloud.view);
    EXPECT_EQ(back.error, cloud.error);

    open3d::geometry::PointCloud o3d;
    ASSERT_TRUE(open3d::io::ReadPointCloud(path, o3d));
    ASSERT_EQ(o3d.points_.size(), cloud.size());
    ASSERT_EQ(o3d.colors_.size(), cloud.size());
    for (size_t i = 0; i < cloud.size(); ++i) {
      EXPECT_FLOAT_EQ(static_cast<float>(o3d.points_[i].y()), cloud.xyz[3 * i + 1]);
      EXPECT_NEAR(o3d.colors_[i].z(), cloud.rgb[3 * i + 2] / 255.0, 1e-9);
    }
  }
}

TEST(PlyFile, ReadsOpen3dWrittenFilesAndRefusesAscii) {
  const auto dir = test::temp_dir();
  open3d::geometry::PointCloud o3d;
  o3d.points_ = {{1, 2, 3}, {4, 5, 6}};
  o3d.colors_ = {{1, 0, 0}, {0, 0.5, 1}};
  ASSERT_TRUE(open3d::io::WritePointCloud((dir / "o.ply").string(), o3d, {false, false}));
  // Open3D writes double coordinates: not our float layout, refused with a clear message.
  EXPECT_THROW(geometry::read_ply((dir / "o.ply").string()), Error);
  ASSERT_TRUE(open3d::io::WritePointCloud((dir / "a.ply").string(), o3d, {true, false}));
  try {
    geometry::read_ply((dir / "a.ply").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.ply"), std::string::npos);
  }
}
