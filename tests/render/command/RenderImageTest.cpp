// What `xwam render` draws, pixel by pixel: a cloud directory written here by hand (coloured points at
// chosen depths, one recorded camera at a known pose) rendered through that camera, compared with the
// pinhole projection computed here — every point on its pixel in its colour, the background where
// nothing is, and the ground grid only below the horizon. Fails if projection, pose, aspect handling,
// colours or the background change.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/geometry/ImageFiles.h"

namespace fs = std::filesystem;

namespace {

struct Point {
  std::array<double, 3> world;
  std::array<uint8_t, 3> rgb;
  int col, row;  // the output pixel it must land on
};

// The recorded camera: 160×120, fx = 150, fy = 140, cx = 81, cy = 58.5 (OpenCV: pixel centres at integers), at
// (0.2, −0.1, 0.6) in a z-up world, looking along world +x (image right = world −y, image down =
// world −z). T_world_cam's columns are the camera axes in world coordinates.
constexpr int kCamWidth = 160, kCamHeight = 120;
constexpr double kFx = 150, kFy = 140, kCx = 81, kCy = 58.5;
constexpr double kCamPos[3] = {0.2, -0.1, 0.6};
constexpr double kAxes[3][3] = {{0, -1, 0}, {0, 0, -1}, {1, 0, 0}};  // camera x, y, z in world

// The output: 400×240, so the image scales by min(400/160, 240/120) = 2 and is centred horizontally
// (40 columns on each side). Scaling acts on coordinates from the image's edge, u + 0.5.
constexpr int kWidth = 400, kHeight = 240;
constexpr double kScale = 2.0, kOffsetX = 0.5 * (kWidth - kCamWidth * kScale), kOffsetY = 0.0;

// The default background of `xwam render` (ViewSettings: 0.11, 0.12, 0.14) in 8 bits.
constexpr std::array<int, 3> kBackground = {28, 31, 36};

std::array<double, 3> camera_to_world(double x, double y, double z) {
  std::array<double, 3> w;
  for (int i = 0; i < 3; ++i) w[i] = kCamPos[i] + x * kAxes[0][i] + y * kAxes[1][i] + z * kAxes[2][i];
  return w;
}

// The pinhole projection of a world point into the output image, OpenCV convention (docs/geometry.md:
// pixel (i, j) is centred on (i, j)).
std::pair<double, double> project(const std::array<double, 3>& world) {
  double cam[3];
  for (int a = 0; a < 3; ++a) {
    cam[a] = 0;
    for (int i = 0; i < 3; ++i) cam[a] += kAxes[a][i] * (world[i] - kCamPos[i]);
  }
  const double u = kFx * cam[0] / cam[2] + kCx, v = kFy * cam[1] / cam[2] + kCy;
  return {kScale * (u + 0.5) + kOffsetX - 0.5, kScale * (v + 0.5) + kOffsetY - 0.5};
}

// Points placed on output pixel centres at several depths, in distinct colours; some above the
// camera's height (upper half), some below, the lowest of them sets the grid plane.
std::vector<Point> scene_points() {
  const int targets[][2] = {{200, 40}, {75, 12}, {330, 100}, {120, 150}, {260, 200}, {55, 225}, {345, 20}};
  const double depths[] = {1.0, 1.4, 2.2, 1.1, 1.7, 0.9, 2.6};
  std::vector<Point> points;
  for (int i = 0; i < 7; ++i) {
    const double u = (targets[i][0] + 0.5 - kOffsetX) / kScale - 0.5, v = (targets[i][1] + 0.5 - kOffsetY) / kScale - 0.5;
    const double z = depths[i];
    Point p;
    p.world = camera_to_world((u - kCx) * z / kFx, (v - kCy) * z / kFy, z);
    p.rgb = {uint8_t(30 + 35 * i), uint8_t(i % 2 ? 240 : 60), uint8_t(200 - 25 * i)};
    // Independently of how the point was placed: the projection formula names its pixel.
    const auto [x, y] = project(p.world);
    p.col = int(std::floor(x + 0.5));
    p.row = int(std::floor(y + 0.5));
    points.push_back(p);
  }
  return points;
}

// sequence.json and frame_000000.ply as docs/geometry.md specifies them, written without the engine.
void write_cloud_directory(const fs::path& dir, const std::vector<Point>& points) {
  fs::create_directories(dir);
  std::ofstream ply(dir / "frame_000000.ply", std::ios::binary);
  ply << "ply\nformat binary_little_endian 1.0\nelement vertex " << points.size()
      << "\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\n"
         "property uchar blue\nproperty uchar view\nend_header\n";
  for (const Point& p : points) {
    for (double c : p.world) {
      const float f = static_cast<float>(c);
      ply.write(reinterpret_cast<const char*>(&f), 4);
    }
    ply.write(reinterpret_cast<const char*>(p.rgb.data()), 3);
    ply.put(0);
  }
  ply.close();
  nlohmann::json pose = nlohmann::json::array();
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) pose.push_back(r == 3 ? (c == 3 ? 1.0 : 0.0) : c == 3 ? kCamPos[r] : kAxes[c][r]);
  const nlohmann::json manifest = {
      {"format", "xwam-clouds"}, {"version", 2}, {"frames", 1}, {"files", {"frame_000000.ply"}}, {"frame_indices", {0}},
      {"fps", 10.0}, {"source", "predicted"},
      {"cameras", {{{"name", "front"}, {"K", {kFx, kFy, kCx, kCy}}, {"width", kCamWidth}, {"height", kCamHeight},
                    {"T_world_cam", pose}}}},
      {"camera_poses", {{pose}}}, {"trajectory", nlohmann::json::array()}};
  std::ofstream(dir / "sequence.json") << manifest.dump(2);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(RenderImage, PointsLandOnTheirPinholePixelsInTheirColours) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_render_image_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::vector<Point> points = scene_points();
  write_cloud_directory(dir / "cloud", points);
  const fs::path png = dir / "front.png";
  const std::string command = std::string(XWAM_BINARY_DIR) + "/bin/xwam render --cloud " + (dir / "cloud").string() +
                              " --view front --frame 0 --png " + png.string() + " --width " + std::to_string(kWidth) +
                              " --height " + std::to_string(kHeight) + " --point-size 1 --no-overlay 2> " +
                              (dir / "stderr.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << read_text(dir / "stderr.txt");

  const xwam::geometry::RgbImage image = xwam::geometry::read_png(png.string());
  ASSERT_EQ(image.width, kWidth);
  ASSERT_EQ(image.height, kHeight);
  auto px = [&](int col, int row) { return &image.pixels[(size_t(row) * kWidth + col) * 3]; };

  // By hand for the first point: output pixel (200, 40) spans (200.5, 40.5) from the output's edge,
  // (200.5 − 40)/2 = 80.25, 40.5/2 = 20.25 from the camera image's edge, so OpenCV (79.75, 19.75), at
  // z = 1: camera ((79.75 − 81)/150, (19.75 − 58.5)/140, 1) = (−1.25/150, −38.75/140, 1) → world
  // (0.2 + 1, −0.1 + 1.25/150, 0.6 + 38.75/140).
  EXPECT_NEAR(points[0].world[0], 1.2, 1e-12);
  EXPECT_NEAR(points[0].world[1], -0.1 + 1.25 / 150, 1e-12);
  EXPECT_NEAR(points[0].world[2], 0.6 + 38.75 / 140, 1e-12);
  EXPECT_EQ(points[0].col, 200);
  EXPECT_EQ(points[0].row, 40);

  std::set<std::pair<int, int>> point_pixels;
  for (const Point& p : points) {
    ASSERT_TRUE(p.col >= 0 && p.col < kWidth && p.row >= 0 && p.row < kHeight);
    point_pixels.insert({p.col, p.row});
    const uint8_t* c = px(p.col, p.row);
    EXPECT_EQ(int(c[0]), p.rgb[0]) << "point at " << p.col << "," << p.row;
    EXPECT_EQ(int(c[1]), p.rgb[1]) << "point at " << p.col << "," << p.row;
    EXPECT_EQ(int(c[2]), p.rgb[2]) << "point at " << p.col << "," << p.row;
  }

  // Above the horizon (the camera's own height, row 2·cy) the grid cannot reach: there only the points
  // are drawn, on the background. Left out: 2 pixels around the outline of the camera's image
  // (columns 40 and 360, rows 0 and 240), where the camera's own frustum is drawn.
  const int horizon = int(kScale * kCy + kOffsetY);
  const int image_left = int(kOffsetX), image_right = int(kOffsetX + kScale * kCamWidth);
  auto near_outline = [&](int col, int row) {
    return row < 2 || row >= kHeight - 2 || std::abs(col - image_left) <= 2 || std::abs(col - image_right) <= 2;
  };
  int expected_above = 0, background_pixels = 0;
  for (const Point& p : points) expected_above += p.row < horizon - 1;
  for (int row = 0; row < horizon - 1; ++row)
    for (int col = 0; col < kWidth; ++col) {
      if (point_pixels.count({col, row}) || near_outline(col, row)) continue;
      const uint8_t* c = px(col, row);
      for (int k = 0; k < 3; ++k)
        ASSERT_NEAR(int(c[k]), kBackground[k], 1) << "pixel " << col << "," << row << " channel " << k;
      ++background_pixels;
    }
  EXPECT_EQ(expected_above, 4) << "four points lie above the camera";
  EXPECT_GT(background_pixels, kWidth * (horizon - 10));

  // Below it the ground grid (the plane of the lowest point) shows somewhere, lighter than the background.
  int grid_pixels = 0;
  for (int row = horizon + 1; row < kHeight - 2; ++row)
    for (int col = 2; col < kWidth - 2; ++col)
      grid_pixels += !point_pixels.count({col, row}) && px(col, row)[0] > kBackground[0] + 10;
  EXPECT_GT(grid_pixels, 20);
  fs::remove_all(dir);
}
