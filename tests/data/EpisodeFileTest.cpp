// Episode file (HDF5): round trip, partial reads, statistics, and every kind of bad input.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/Hdf5.h"
#include "engine/data/synthetic/SceneGenerator.h"

namespace fs = std::filesystem;
using namespace xwam::data;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("xwam_episode_file_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// A small two-camera episode whose every value is a known function of its indices.
Episode make_episode(const std::string& name, int T, int W, int H, float seed) {
  Episode ep;
  ep.name = name;
  ep.instruction = "pick up the red cube " + name;
  ep.task = "pick";
  ep.fps = 15;
  ep.success = true;
  ep.num_frames = ep.total_frames = T;
  CameraInfo main;
  main.name = "main";
  main.width = W;
  main.height = H;
  main.intrinsics = PinholeIntrinsics{50, 51, W / 2.0, H / 2.0};
  Eigen::Matrix4d pose = Eigen::Matrix4d::Identity();
  pose(0, 3) = 0.5;
  pose(2, 3) = 1.25;
  main.T_world_cam = pose;
  main.has_depth = true;
  CameraInfo wrist;
  wrist.name = "wrist";
  wrist.width = W;
  wrist.height = H;
  wrist.mount = CameraMount::Wrist;
  wrist.intrinsics = PinholeIntrinsics{40, 40, W / 2.0, H / 2.0};
  wrist.T_ee_cam = Eigen::Matrix4d::Identity();
  wrist.has_depth = false;
  ep.cameras = {main, wrist};
  ep.rgb.resize(2);
  ep.depth.resize(2);
  for (int c = 0; c < 2; ++c) {
    ep.rgb[c].resize(static_cast<size_t>(T) * W * H * 3);
    for (size_t i = 0; i < ep.rgb[c].size(); ++i) ep.rgb[c][i] = static_cast<uint8_t>((i * (c + 3) + static_cast<int>(seed)) % 251);
  }
  ep.depth[0].resize(static_cast<size_t>(T) * W * H);
  for (size_t i = 0; i < ep.depth[0].size(); ++i) ep.depth[0][i] = (i % 7 == 0) ? 0.f : 0.5f + 0.001f * (i % 997) + seed;
  ep.states.resize(static_cast<size_t>(T) * kStateDim);
  ep.actions.resize(static_cast<size_t>(T) * kActionDim);
  for (int t = 0; t < T; ++t) {
    float* s = ep.states.data() + t * kStateDim;
    s[0] = 0.1f * t + seed;
    s[1] = -0.05f * t;
    s[2] = 0.3f;
    s[3] = 1.f;  // identity quaternion, wxyz
    s[7] = 0.04f;
    for (int d = 0; d < kActionDim; ++d) ep.actions[t * kActionDim + d] = 0.01f * d - 0.001f * t;
  }
  for (int d = 0; d < kStatePerArm; ++d) ep.state_mask[d] = 1;
  for (int d = 0; d < kActionPerArm; ++d) ep.action_mask[d] = 1;
  ep.source["actions_raw"] = SourceArray{{T, 7}, std::vector<double>(static_cast<size_t>(T) * 7, 0.25)};
  return ep;
}

void expect_same(const Episode& a, const Episode& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.instruction, b.instruction);
  EXPECT_EQ(a.task, b.task);
  EXPECT_DOUBLE_EQ(a.fps, b.fps);
  EXPECT_EQ(a.success, b.success);
  EXPECT_EQ(a.num_frames, b.num_frames);
  ASSERT_EQ(a.cameras.size(), b.cameras.size());
  for (size_t c = 0; c < a.cameras.size(); ++c) {
    EXPECT_EQ(a.cameras[c].name, b.cameras[c].name);
    EXPECT_EQ(a.cameras[c].mount, b.cameras[c].mount);
    EXPECT_EQ(a.cameras[c].has_depth, b.cameras[c].has_depth);
    EXPECT_EQ(a.cameras[c].intrinsics.has_value(), b.cameras[c].intrinsics.has_value());
    EXPECT_EQ(a.cameras[c].T_world_cam.has_value(), b.cameras[c].T_world_cam.has_value());
    if (a.cameras[c].T_world_cam) EXPECT_TRUE(a.cameras[c].T_world_cam->isApprox(*b.cameras[c].T_world_cam, 0));
    EXPECT_EQ(a.rgb[c], b.rgb[c]);
    EXPECT_EQ(a.depth[c], b.depth[c]);
  }
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.actions, b.actions);
  EXPECT_EQ(a.state_mask, b.state_mask);
  EXPECT_EQ(a.action_mask, b.action_mask);
  ASSERT_EQ(a.source.size(), b.source.size());
  EXPECT_EQ(a.source.at("actions_raw").values, b.source.at("actions_raw").values);
}

}  // namespace

TEST(EpisodeFile, RoundTripIsExact) {
  auto path = (temp_dir() / "roundtrip.h5").string();
  std::vector<Episode> eps = {make_episode("a", 6, 16, 12, 0), make_episode("b", 4, 16, 12, 1)};
  {
    EpisodeFileWriter w(path);
    for (auto& ep : eps) w.add(ep);
    w.set_stats(NormStats::compute(eps));
    w.commit();
  }
  EpisodeFileReader r(path);
  ASSERT_EQ(r.num_episodes(), 2);
  for (int i = 0; i < 2; ++i) expect_same(eps[i], r.read(i));
  auto stats = r.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->num_samples, 10);
  EXPECT_EQ(stats->state_q99, NormStats::compute(eps).state_q99);
}

TEST(EpisodeFile, FrameRangeReadsOnlyThoseFrames) {
  auto path = (temp_dir() / "range.h5").string();
  Episode ep = make_episode("r", 10, 8, 6, 0);
  {
    EpisodeFileWriter w(path);
    w.add(ep);
    w.commit();
  }
  ReadOptions opt;
  opt.first_frame = 3;
  opt.num_frames = 4;
  Episode part = EpisodeFileReader(path).read(0, opt);
  EXPECT_EQ(part.num_frames, 4);
  EXPECT_EQ(part.first_frame, 3);
  EXPECT_EQ(part.total_frames, 10);
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(0, std::memcmp(part.rgb_frame(0, t), ep.rgb_frame(0, t + 3), 8 * 6 * 3));
    EXPECT_EQ(0, std::memcmp(part.depth_frame(0, t), ep.depth_frame(0, t + 3), 8 * 6 * sizeof(float)));
    EXPECT_EQ(part.state(t)[0], ep.state(t + 3)[0]);
  }
  opt.first_frame = 8;
  EXPECT_THROW(EpisodeFileReader(path).read(0, opt), xwam::Error);
}

TEST(EpisodeFile, CameraPoseOfWristFollowsEndEffector) {
  Episode ep = make_episode("w", 3, 8, 6, 0);
  Eigen::Matrix4d pose = ep.camera_pose(1, 2);
  EXPECT_NEAR(pose(0, 3), 0.2, 1e-6);
  EXPECT_NEAR(pose(1, 3), -0.1, 1e-6);
  ep.cameras[0].T_world_cam.reset();
  try {
    ep.camera_pose(0, 0);
    FAIL() << "expected an error";
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera main"), std::string::npos) << e.what();
  }
}

TEST(EpisodeFile, NonHdf5AndTruncatedFilesAreRefusedByName) {
  auto dir = temp_dir();
  auto text = (dir / "not_hdf5.h5").string();
  std::ofstream(text) << "hello, this is not HDF5";
  try {
    EpisodeFileReader r(text);
    FAIL();
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not_hdf5.h5"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
  }
  auto good = (dir / "good.h5").string();
  {
    EpisodeFileWriter w(good);
    w.add(make_episode("t", 8, 32, 24, 0));
    w.commit();
  }
  auto truncated = (dir / "truncated.h5").string();
  fs::copy_file(good, truncated, fs::copy_options::overwrite_existing);
  fs::resize_file(truncated, fs::file_size(good) / 2);
  bool threw = false;
  try {
    EpisodeFileReader r(truncated);
    r.read(0);
  } catch (const xwam::Error& e) {
    threw = true;
    EXPECT_NE(std::string(e.what()).find("truncated.h5"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(threw);
  EXPECT_THROW(EpisodeFileReader((dir / "missing.h5").string()), xwam::Error);
}

TEST(EpisodeFile, ShapeMismatchAndMissingDatasetNameTheKey) {
  auto path = (temp_dir() / "bad_shape.h5").string();
  {
    EpisodeFileWriter w(path);
    w.add(make_episode("s", 4, 8, 6, 0));
    w.commit();
  }
  // Tamper: replace states by a wrongly shaped array, delete the main camera's rgb.
  {
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    H5Ldelete(f, "/episodes/ep_000000/states", H5P_DEFAULT);
    hsize_t dims[2] = {4, 15};
    hid_t space = H5Screate_simple(2, dims, nullptr);
    hid_t ds = H5Dcreate2(f, "/episodes/ep_000000/states", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<float> zeros(60, 0.f);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
    H5Dclose(ds);
    H5Sclose(space);
    H5Ldelete(f, "/episodes/ep_000000/cameras/main/rgb", H5P_DEFAULT);
    H5Fclose(f);
  }
  try {
    EpisodeFileReader(path).read(0);
    FAIL();
  } catch (const xwam::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("bad_shape.h5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("episode s"), std::string::npos) << msg;
    EXPECT_NE(msg.find("states"), std::string::npos) << msg;
  }
}

TEST(EpisodeFile, NaNStatesAreRejectedAndNothingIsWritten) {
  auto path = (temp_dir() / "nan.h5").string();
  fs::remove(path);
  Episode ep = make_episode("n", 4, 8, 6, 0);
  ep.states[5] = std::nanf("");
  {
    EpisodeFileWriter w(path);
    try {
      w.add(ep);
      FAIL();
    } catch (const xwam::Error& e) {
      EXPECT_NE(std::string(e.what()).find("key states"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("episode n"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(path));
  for (const auto& entry : fs::directory_iterator(temp_dir()))
    EXPECT_EQ(entry.path().filename().string().find("nan.h5.tmp"), std::string::npos) << "temporary left behind";
}

TEST(EpisodeFile, FailedRewriteKeepsThePreviousFile) {
  auto path = (temp_dir() / "keep.h5").string();
  {
    EpisodeFileWriter w(path);
    w.add(make_episode("first", 3, 8, 6, 0));
    w.commit();
  }
  {
    EpisodeFileWriter w(path);
    w.add(make_episode("second", 3, 8, 6, 0));
    // destroyed without commit: as if the process had been interrupted
  }
  EpisodeFileReader r(path);
  ASSERT_EQ(r.num_episodes(), 1);
  EXPECT_EQ(r.summary(0).name, "first");
}

TEST(NormStats, QuantilesAndMappingFollowTheReleasedCode) {
  std::vector<Episode> eps;
  Episode ep = make_episode("q", 101, 4, 4, 0);
  for (int t = 0; t <= 100; ++t) ep.states[t * kStateDim + 0] = static_cast<float>(t);  // 0..100
  eps.push_back(ep);
  NormStats s = NormStats::compute(eps);
  EXPECT_NEAR(s.state_q01[0], 1.0f, 1e-5);
  EXPECT_NEAR(s.state_q99[0], 99.0f, 1e-5);
  float in[kStateDim] = {}, out[kStateDim], back[kStateDim];
  in[0] = 50.f;
  in[3] = 0.7f;  // quaternion w passes through
  s.normalize_state(in, out);
  EXPECT_NEAR(out[0], 2.f * (50.f - 1.f) / 98.f - 1.f, 1e-6);
  EXPECT_FLOAT_EQ(out[3], 0.7f);
  s.denormalize_state(out, back);
  EXPECT_NEAR(back[0], 50.f, 1e-4);
  EXPECT_THROW(NormStats::compute(std::vector<Episode>{}), xwam::Error);
}

// A file written before the OpenCV convention (schema 1, committed: `xwam generate --task pick_place
// --episodes 1 --seed 7 --width 16 --height 16 --frames 16` at 3c2357f) stored K with pixel centres at
// +0.5 (cx = W/2). Read now, it equals what the generator writes today: the same rays, so the same
// depth and RGB, and K in the OpenCV convention (cx = (W − 1)/2).
TEST(EpisodeFile, Schema1FileReadsInTheOpenCvConvention) {
  EpisodeFileReader old_file(std::string(XWAM_SOURCE_DIR) + "/tests/data/fixtures/schema1_synthetic_seed7.h5");
  const Episode old_ep = old_file.read(0);
  synthetic::GeneratorOptions options;
  options.task = "pick_place";
  options.width = options.height = 16;
  options.frames = 16;
  std::vector<Episode> now;
  synthetic::generate_episodes(options, 1, 7, [&](Episode&& ep) { now.push_back(std::move(ep)); });
  ASSERT_EQ(now.size(), 1u);
  ASSERT_EQ(old_ep.cameras.size(), now[0].cameras.size());
  for (size_t c = 0; c < now[0].cameras.size(); ++c) {
    const auto& k_old = *old_ep.cameras[c].intrinsics;
    const auto& k_now = *now[0].cameras[c].intrinsics;
    EXPECT_DOUBLE_EQ(k_old.cx, 7.5) << old_ep.cameras[c].name;  // stored as 8 = 16/2
    EXPECT_DOUBLE_EQ(k_old.cy, 7.5);
    EXPECT_DOUBLE_EQ(k_old.fx, k_now.fx);
    EXPECT_DOUBLE_EQ(k_old.cx, k_now.cx);
    EXPECT_DOUBLE_EQ(k_old.cy, k_now.cy);
    EXPECT_EQ(old_ep.depth[c], now[0].depth[c]) << "depth of " << old_ep.cameras[c].name;
    EXPECT_EQ(old_ep.rgb[c], now[0].rgb[c]) << "RGB of " << old_ep.cameras[c].name;
  }
}

// The schema decides the conversion: the same intrinsics attribute read as schema 2 stays, as schema 1
// moves by half a pixel; a newer schema is refused.
TEST(EpisodeFile, SchemaVersionDecidesThePixelConvention) {
  auto path = (temp_dir() / "schema.h5").string();
  {
    EpisodeFileWriter w(path);
    w.add(make_episode("k", 2, 8, 6, 0));
    w.commit();
  }
  EXPECT_DOUBLE_EQ(EpisodeFileReader(path).summary(0).cameras[0].intrinsics->cx, 4.0);
  auto set_schema = [&](int64_t version) {
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    hid_t attr = H5Aopen_by_name(f, "/", "schema_version", H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(attr, 0);
    H5Awrite(attr, H5T_NATIVE_INT64, &version);
    H5Aclose(attr);
    H5Fclose(f);
  };
  set_schema(1);
  const auto cams = EpisodeFileReader(path).summary(0).cameras;
  EXPECT_DOUBLE_EQ(cams[0].intrinsics->cx, 3.5);
  EXPECT_DOUBLE_EQ(cams[0].intrinsics->cy, 2.5);
  EXPECT_DOUBLE_EQ(cams[0].intrinsics->fx, 50.0);
  set_schema(kEpisodeSchemaVersion + 1);
  EXPECT_THROW(EpisodeFileReader{path}, xwam::Error);
}

// Encoded depth (8-bit codes, mapping unknown) goes through the file bit for bit and stays apart from
// metric depth.
TEST(EpisodeFile, EncodedDepthRoundTrips) {
  auto path = (temp_dir() / "encoded.h5").string();
  Episode ep = make_episode("e", 3, 8, 6, 0);
  ep.cameras[1].depth_encoded = true;
  ep.depth_code.resize(2);
  ep.depth_code[1].resize(3 * 8 * 6);
  for (size_t i = 0; i < ep.depth_code[1].size(); ++i) ep.depth_code[1][i] = static_cast<uint8_t>(i * 11 % 256);
  {
    EpisodeFileWriter w(path);
    w.add(ep);
    w.commit();
  }
  EpisodeFileReader r(path);
  const Episode back = r.read(0);
  EXPECT_TRUE(back.cameras[0].has_depth);
  EXPECT_FALSE(back.cameras[0].depth_encoded);
  EXPECT_FALSE(back.cameras[1].has_depth);
  EXPECT_TRUE(back.cameras[1].depth_encoded);
  EXPECT_EQ(back.depth_code[1], ep.depth_code[1]);
  EXPECT_TRUE(back.depth_code[0].empty());
  EXPECT_EQ(back.depth_frame(1, 0), nullptr);
  ASSERT_NE(back.depth_code_frame(1, 2), nullptr);
  EXPECT_EQ(back.depth_code_frame(1, 2)[5], ep.depth_code[1][2 * 48 + 5]);
  ReadOptions range;
  range.first_frame = 1;
  range.num_frames = 1;
  const Episode one = r.read(0, range);
  EXPECT_EQ(std::vector<uint8_t>(one.depth_code[1].begin(), one.depth_code[1].end()),
            std::vector<uint8_t>(ep.depth_code[1].begin() + 48, ep.depth_code[1].begin() + 96));
}
