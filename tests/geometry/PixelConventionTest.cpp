// One pixel convention, OpenCV's: pixel (i, j) is centred on image coordinates (i, j). Every expected value
// here comes from the pinhole formula written out in this file (or MuJoCo's pixel rays), never from the
// project's camera code: projection, fusion of a real-size RGB-D frame, resizing, the cloud directory's
// older version, and the intrinsics of each source (RoboTwin intrinsic_cv, robomimic's MuJoCo fovy, the
// X-WAM calibration sidecar).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/VideoWriter.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/importers/MujocoCamera.h"
#include "engine/data/importers/RoboTwinImporter.h"
#include "engine/data/importers/RobomimicImporter.h"
#include "engine/geometry/CameraModel.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/DepthFusion.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

struct K {
  double fx, fy, cx, cy;
};

// OpenCV: camera point of pixel (i, j) at z-depth z is ((i − cx)/fx·z, (j − cy)/fy·z, z); world = R·p + t.
Eigen::Vector3d opencv_unproject(const K& k, const Eigen::Matrix4d& T_world_cam, int i, int j, double z) {
  const Eigen::Vector3d p((i - k.cx) / k.fx * z, (j - k.cy) / k.fy * z, z);
  return T_world_cam.topLeftCorner<3, 3>() * p + T_world_cam.topRightCorner<3, 1>();
}

Eigen::Matrix4d test_pose() {
  Eigen::Matrix4d T = Eigen::Matrix4d::Identity();
  T.topLeftCorner<3, 3>() = Eigen::AngleAxisd(0.4, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  T.topRightCorner<3, 1>() = Eigen::Vector3d(0.1, -0.2, 0.5);
  return T;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Distances between the fused points of one view (row-major over its valid pixels) and `expected(i, j, z)`.
template <typename Expected>
std::vector<double> distances_to(const geometry::CloudFrame& cloud, const float* depth, int W, int H, Expected expected) {
  std::vector<double> out;
  size_t n = 0;
  for (int j = 0; j < H; ++j)
    for (int i = 0; i < W; ++i) {
      const float z = depth[static_cast<size_t>(j) * W + i];
      if (!(z > 0)) continue;
      EXPECT_LT(n, cloud.size());
      if (n >= cloud.size()) return out;
      out.push_back((cloud.point(n++).cast<double>() - expected(i, j, static_cast<double>(z))).norm());
    }
  EXPECT_EQ(n, cloud.size());
  return out;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_pixels_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(PixelConvention, AWorldPointProjectsToTheOpenCvPixel) {
  // By hand, camera at the origin: (0.1, −0.05, 2) → u = 615.3·0.05 + 318.2 = 348.965, v = 615.7·(−0.025) + 241.9.
  geometry::CameraModel cam;
  cam.width = 640, cam.height = 480, cam.fx = 615.3, cam.fy = 615.7, cam.cx = 318.2, cam.cy = 241.9;
  const Eigen::Vector3d uvz = cam.project({0.1, -0.05, 2.0});
  EXPECT_NEAR(uvz.x(), 348.965, 1e-9);
  EXPECT_NEAR(uvz.y(), 226.5075, 1e-9);
  // Posed: the point unprojected from pixel (412, 97) by the formula comes back onto exactly that pixel.
  cam.T_world_cam = test_pose();
  const K k{615.3, 615.7, 318.2, 241.9};
  const Eigen::Vector3d p = opencv_unproject(k, cam.T_world_cam, 412, 97, 1.7);
  const Eigen::Vector3d back = cam.project(p);
  EXPECT_NEAR(back.x(), 412.0, 1e-9);
  EXPECT_NEAR(back.y(), 97.0, 1e-9);
  EXPECT_NEAR(back.z(), 1.7, 1e-9);
  EXPECT_LT((cam.unproject(412, 97, 1.7) - p).norm(), 1e-12);
}

// A 640×480 RGB-D frame at 1–3 m with a RealSense-like K fuses onto the OpenCV unprojection of its pixels
// (float arithmetic: well under 0.1 mm); the half-pixel convention this replaced is millimetres off.
TEST(PixelConvention, RealSizeRgbdFrameFusesOntoTheOpenCvUnprojection) {
  const int W = 640, H = 480;
  const K k{615.3, 615.7, 318.2, 241.9};
  std::vector<float> depth(static_cast<size_t>(W) * H);
  std::vector<uint8_t> rgb(depth.size() * 3, 90);
  for (int j = 0; j < H; ++j)
    for (int i = 0; i < W; ++i)
      depth[static_cast<size_t>(j) * W + i] =
          (i * 7 + j * 13) % 97 == 0 ? 0.0f : static_cast<float>(2.0 + std::sin(i * 0.013) * std::cos(j * 0.017));
  geometry::CameraModel cam;
  cam.name = "realsense";
  cam.width = W, cam.height = H, cam.fx = k.fx, cam.fy = k.fy, cam.cx = k.cx, cam.cy = k.cy;
  cam.T_world_cam = test_pose();
  const geometry::CloudFrame cloud = geometry::fuse_views({{cam, depth.data(), rgb.data()}});
  const auto err = distances_to(cloud, depth.data(), W, H,
                                [&](int i, int j, double z) { return opencv_unproject(k, cam.T_world_cam, i, j, z); });
  ASSERT_GT(err.size(), 300000u);
  EXPECT_LE(median(err), 1e-4);
  EXPECT_LE(*std::max_element(err.begin(), err.end()), 1e-4);
  // The test can tell the conventions apart: centres at +0.5 would sit ~2 mm away at these depths.
  const auto half_pixel = distances_to(cloud, depth.data(), W, H, [&](int i, int j, double z) {
    const Eigen::Vector3d p((i + 0.5 - k.cx) / k.fx * z, (j + 0.5 - k.cy) / k.fy * z, z);
    return Eigen::Vector3d(cam.T_world_cam.topLeftCorner<3, 3>() * p + cam.T_world_cam.topRightCorner<3, 1>());
  });
  EXPECT_GT(median(half_pixel), 1e-3);
}

// Resizing by ½: small pixel i covers big pixels 2i and 2i + 1, so its centre is big coordinate 2i + 0.5, and
// its ray through the resized K must be the ray of that coordinate through the original K.
TEST(PixelConvention, ResizedIntrinsicsKeepEveryPixelsRay) {
  const data::PinholeIntrinsics big{615.3, 615.7, 318.2, 241.9};
  const data::PinholeIntrinsics small = big.resized(0.5, 0.5);
  for (int i : {0, 17, 159, 319}) EXPECT_NEAR((i - small.cx) / small.fx, (2 * i + 0.5 - big.cx) / big.fx, 1e-12) << i;
  for (int j : {0, 100, 239}) EXPECT_NEAR((j - small.cy) / small.fy, (2 * j + 0.5 - big.cy) / big.fy, 1e-12) << j;
  // A centred principal point stays centred: (640 − 1)/2 → (320 − 1)/2.
  const data::PinholeIntrinsics centred = data::PinholeIntrinsics{500, 500, 319.5, 239.5}.resized(0.5, 0.5);
  EXPECT_DOUBLE_EQ(centred.cx, 159.5);
  EXPECT_DOUBLE_EQ(centred.cy, 119.5);
}

// Cloud directories of version 1 stored K with centres at +0.5; reading converts them.
TEST(PixelConvention, CloudDirectoryVersion1IsConvertedOnRead) {
  const fs::path dir = fresh_dir("clouds");
  geometry::CloudSequence seq;
  seq.fps = 10;
  seq.source = "recorded";
  seq.frames.resize(1);
  seq.frames[0].xyz = {0, 0, 1};
  seq.frames[0].rgb = {1, 2, 3};
  seq.frames[0].view = {0};
  seq.frame_indices = {0};
  geometry::CameraModel cam;
  cam.name = "main", cam.width = 64, cam.height = 48, cam.fx = 50, cam.fy = 51, cam.cx = 31.5, cam.cy = 23.5;
  seq.cameras = {cam};
  seq.camera_poses = {{cam.T_world_cam}};
  fs::remove_all(dir);
  geometry::write_cloud_directory(dir.string(), seq);
  nlohmann::json manifest = nlohmann::json::parse(std::ifstream(dir / "sequence.json"));
  EXPECT_EQ(manifest["version"], geometry::kCloudDirectoryVersion);
  EXPECT_DOUBLE_EQ(geometry::read_cloud_directory(dir.string()).cameras[0].cx, 31.5);
  // The same K written by version 1 meant centres at +0.5: 32, 24 there are 31.5, 23.5 here.
  manifest["version"] = 1;
  manifest["cameras"][0]["K"] = {50, 51, 32, 24};
  std::ofstream(dir / "sequence.json") << manifest.dump();
  const auto old = geometry::read_cloud_directory(dir.string());
  EXPECT_DOUBLE_EQ(old.cameras[0].cx, 31.5);
  EXPECT_DOUBLE_EQ(old.cameras[0].cy, 23.5);
  manifest["version"] = geometry::kCloudDirectoryVersion + 1;
  std::ofstream(dir / "sequence.json") << manifest.dump();
  EXPECT_THROW(geometry::read_cloud_directory(dir.string()), Error);
  fs::remove_all(dir);
}

// RoboTwin 2.0's intrinsic_cv is OpenCV's K: imported unchanged, a frame fuses onto the formula applied to
// the file's own intrinsic_cv and extrinsic_cv (world-to-camera).
TEST(PixelConvention, RoboTwinIntrinsicCvFusesOntoTheOpenCvFormula) {
  const fs::path dir = fresh_dir("robotwin");
  const std::string path = (dir / "episode0.hdf5").string();
  const int T = 2, H = 48, W = 64;
  const std::vector<double> kcv = {60, 0, 31.2, 0, 61, 23.7, 0, 0, 1};
  const Eigen::Matrix4d T_world_cam = test_pose();
  const Eigen::Matrix4d w2c = T_world_cam.inverse();
  std::vector<double> ext(12), pose(T * 7, 0.0);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) ext[r * 4 + c] = w2c(r, c);
  for (int t = 0; t < T; ++t) pose[t * 7 + 3] = 1.0;  // identity quaternion wxyz
  std::vector<uint16_t> depth_mm(static_cast<size_t>(T) * H * W);
  for (size_t p = 0; p < depth_mm.size(); ++p) depth_mm[p] = static_cast<uint16_t>(1000 + (p * 37) % 2000);
  {
    auto lock = data::h5::lock();
    data::h5::Group root = data::h5::create_file(path);
    root.create_group("endpose").write<double>("left_endpose", {T, 7}, pose.data());
    data::h5::Group g = root.create_group("observation").create_group("head_camera");
    std::vector<uint8_t> rgb(static_cast<size_t>(T) * H * W * 3, 120);
    g.write<uint8_t>("rgb", {T, H, W, 3}, rgb.data());
    g.write<uint16_t>("depth", {T, H, W}, depth_mm.data());
    g.write<double>("intrinsic_cv", {3, 3}, kcv.data());
    g.write<double>("extrinsic_cv", {3, 4}, ext.data());
  }
  const data::Episode ep = data::import_robotwin_episode(path, {});
  ASSERT_TRUE(ep.cameras[0].intrinsics);
  EXPECT_DOUBLE_EQ(ep.cameras[0].intrinsics->cx, 31.2);
  EXPECT_DOUBLE_EQ(ep.cameras[0].intrinsics->cy, 23.7);
  const geometry::CloudSequence seq = geometry::fuse_recorded(ep, {1}, geometry::FusionOptions{});
  const K k{kcv[0], kcv[4], kcv[2], kcv[5]};
  const auto err = distances_to(seq.frames[0], ep.depth_frame(0, 1), W, H,
                                [&](int i, int j, double z) { return opencv_unproject(k, T_world_cam, i, j, z); });
  ASSERT_EQ(err.size(), static_cast<size_t>(W) * H);
  EXPECT_LE(median(err), 1e-4);
  EXPECT_LE(*std::max_element(err.begin(), err.end()), 1e-4);
  fs::remove_all(dir);
}

// robosuite/robomimic: MuJoCo renders pixel (i, j) along the OpenGL ray through its centre, NDC
// x = 2(i + 0.5)/W − 1 scaled by tan(fovy/2)·W/H (y likewise, rows from the top once the image is upright).
// The K imported from the demo's MJCF fovy unprojects every pixel along exactly that ray.
TEST(PixelConvention, RobomimicFovyIntrinsicsFollowMuJoCosPixelRays) {
  EXPECT_EQ(data::mjcf_camera_fovy("<camera name=\"agentview\" pos=\"0 0 1\" fovy=\"60\"/>", "agentview"), 60.0);
  EXPECT_EQ(data::mjcf_camera_fovy("<camera pos=\"1 0 0\" name='birdview'/>", "birdview"), 45.0);  // MuJoCo default
  EXPECT_FALSE(data::mjcf_camera_fovy("<camera name=\"agentview\" fovy=\"60\"/>", "sideview").has_value());

  const fs::path dir = fresh_dir("robomimic");
  const std::string path = (dir / "demo.hdf5").string();
  const int T = 2, H = 48, W = 64;
  const double fovy = 52.0;
  std::vector<float> depth(static_cast<size_t>(T) * H * W);
  for (size_t p = 0; p < depth.size(); ++p) depth[p] = 1.0f + static_cast<float>((p * 31) % 200) / 100.0f;
  {
    auto lock = data::h5::lock();
    data::h5::Group root = data::h5::create_file(path);
    data::h5::Group demo = root.create_group("data").create_group("demo_0");
    demo.set_attr("model_file", std::string("<mujoco><worldbody><camera mode=\"fixed\" name=\"agentview\" pos=\"0.5 0 1.35\" "
                                            "fovy=\"52\"/></worldbody></mujoco>"));
    data::h5::Group obs = demo.create_group("obs");
    std::vector<double> pos(T * 3, 0.1), quat(T * 4, 0.0), qpos(T * 2, 0.02);
    for (int t = 0; t < T; ++t) quat[t * 4 + 3] = 1.0;
    obs.write<double>("robot0_eef_pos", {T, 3}, pos.data());
    obs.write<double>("robot0_eef_quat", {T, 4}, quat.data());
    obs.write<double>("robot0_gripper_qpos", {T, 2}, qpos.data());
    std::vector<uint8_t> rgb(static_cast<size_t>(T) * H * W * 3, 60);
    obs.write<uint8_t>("agentview_image", {T, H, W, 3}, rgb.data());
    obs.write<float>("agentview_depth", {T, H, W, 1}, depth.data());
  }
  data::ImportOptions options;
  data::Episode ep = data::import_robomimic_all(path, options).at(0);
  ASSERT_TRUE(ep.cameras[0].intrinsics);
  // The files carry no extrinsic; the user's calibration would supply it.
  ep.cameras[0].T_world_cam = Eigen::Matrix4d::Identity();
  const geometry::CloudSequence seq = geometry::fuse_recorded(ep, {0}, geometry::FusionOptions{});
  const double tan_half = std::tan(0.5 * fovy * M_PI / 180.0);
  const auto err = distances_to(seq.frames[0], ep.depth_frame(0, 0), W, H, [&](int i, int j, double z) {
    const double x = (2.0 * (i + 0.5) / W - 1.0) * tan_half * W / H, y = (2.0 * (j + 0.5) / H - 1.0) * tan_half;
    return Eigen::Vector3d(x * z, y * z, z);
  });
  ASSERT_EQ(err.size(), static_cast<size_t>(W) * H);
  EXPECT_LE(*std::max_element(err.begin(), err.end()), 1e-4);
  fs::remove_all(dir);
}

// The X-WAM calibration sidecar (CAMERAS.json) is documented as OpenCV: its K reaches fusion unchanged.
TEST(PixelConvention, SidecarIntrinsicsFuseOntoTheOpenCvFormula) {
  const fs::path root = fresh_dir("sidecar");
  const int T = 2, H = 32, W = 48;
  const std::string rgb_rel = "video/front/chunk-0000/episode_0000000.mp4", depth_rel = "depth/front/chunk-0000/episode_0000000.mp4";
  const nlohmann::json ep_json = {
      {"num_frames", T},
      {"instructions", {"look"}},
      {"observations", {{"front", {{"type", "static"}, {"rgb_path", rgb_rel}, {"depth_path", depth_rel}, {"fps", 10}}}}},
      {"proprios", {{"left_ee_pos", {{0, 0, 0}, {0, 0, 0}}}}},
      {"actions", {{"left_ee_pos", {{0, 0, 0}, {0, 0, 0}}}}}};
  fs::create_directories(root / "data/chunk-0000");
  std::ofstream(root / "data/chunk-0000/episode_0000000.json") << ep_json.dump();
  for (const auto& rel : {rgb_rel, depth_rel}) {
    fs::create_directories((root / rel).parent_path());
    data::VideoWriter video((root / rel).string(), W, H, {10.0, 0.9, 12});
    std::vector<uint8_t> frame(static_cast<size_t>(W) * H * 3);
    for (size_t p = 0; p < frame.size() / 3; ++p) frame[3 * p] = frame[3 * p + 1] = frame[3 * p + 2] = 40 + (p % W) * 3;
    for (int t = 0; t < T; ++t) video.add(frame.data());
    video.finish();
  }
  data::CameraCalibrations calib;
  calib["front"].intrinsics = data::PinholeIntrinsics{40, 41, 23.1, 15.8};
  calib["front"].T_world_cam = test_pose();
  calib["front"].depth = data::DepthMapping{data::DepthMapping::Kind::Linear, 0.5, 3.0, false};
  const data::Episode ep = data::read_xwam_episode(root.string(), "chunk-0000/episode_0000000", calib);
  ASSERT_TRUE(ep.cameras[0].intrinsics);
  EXPECT_DOUBLE_EQ(ep.cameras[0].intrinsics->cx, 23.1);
  const geometry::CloudSequence seq = geometry::fuse_recorded(ep, {0}, geometry::FusionOptions{});
  const K k{40, 41, 23.1, 15.8};
  const auto err = distances_to(seq.frames[0], ep.depth_frame(0, 0), W, H,
                                [&](int i, int j, double z) { return opencv_unproject(k, test_pose(), i, j, z); });
  EXPECT_LE(*std::max_element(err.begin(), err.end()), 1e-4);
  fs::remove_all(root);
}
