// Importers on small files in the robomimic / RoboCasa and RoboTwin 2.0 layouts that the tests write
// themselves: every value read back, the state/action mapping checked by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/importers/RoboTwinImporter.h"
#include "engine/data/importers/RobomimicImporter.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

fs::path fresh(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("xwam_import_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  return p;
}

constexpr int T = 5, W = 8, H = 6;
constexpr double kTurn = 0.2;  // rad about z per step

// robomimic: the arm turns about z by kTurn per step, moves 1 cm in x, opens the gripper at step 2.
void write_robomimic(const std::string& path) {
  auto lock = h5::lock();
  h5::Group root = h5::create_file(path);
  h5::Group data = root.create_group("data");
  data.set_attr("env_args", std::string(R"({"env_name": "PnPCounterToCab", "type": 1})"));
  h5::Group demo = data.create_group("demo_0");
  demo.set_attr("ep_meta", std::string(R"({"lang": "pick the apple from the counter and place it in the cabinet"})"));
  h5::Group obs = demo.create_group("obs");
  std::vector<double> pos, quat, qpos, actions(T * 7, 0.5);
  for (int t = 0; t < T; ++t) {
    pos.insert(pos.end(), {0.01 * t, 0.2, 0.9});
    // Rotation by kTurn·t about z as (x, y, z, w), stored with w < 0 on odd steps (q and −q agree).
    const double s = t % 2 ? -1.0 : 1.0;
    quat.insert(quat.end(), {0.0, 0.0, s * std::sin(kTurn * t / 2), s * std::cos(kTurn * t / 2)});
    qpos.insert(qpos.end(), {t >= 3 ? 0.04 : 0.01, t >= 3 ? -0.04 : -0.01});
  }
  obs.write<double>("robot0_eef_pos", {T, 3}, pos.data());
  obs.write<double>("robot0_eef_quat", {T, 4}, quat.data());
  obs.write<double>("robot0_gripper_qpos", {T, 2}, qpos.data());
  std::vector<uint8_t> rgb(T * H * W * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i % 200);
  obs.write<uint8_t>("robot0_agentview_left_image", {T, H, W, 3}, rgb.data());
  obs.write<uint8_t>("robot0_eye_in_hand_image", {T, H, W, 3}, rgb.data());
  std::vector<float> depth(T * H * W, 0.5f);
  obs.write<float>("robot0_agentview_left_depth", {T, H, W, 1}, depth.data());
  demo.write<double>("actions", {T, 7}, actions.data());
}

}  // namespace

TEST(ImportRobomimic, StatesActionsCamerasAndSourceArrays) {
  const auto path = fresh("robomimic.hdf5").string();
  write_robomimic(path);
  ImportOptions opt;
  opt.depth_near_m = 0.1;
  opt.depth_far_m = 10.0;
  std::vector<Episode> got;
  import_robomimic(path, opt, [&](Episode&& ep) { got.push_back(std::move(ep)); });
  ASSERT_EQ(got.size(), 1u);
  const Episode& ep = got[0];
  EXPECT_EQ(ep.instruction, "pick the apple from the counter and place it in the cabinet");
  EXPECT_EQ(ep.task, "PnPCounterToCab");
  EXPECT_EQ(ep.num_frames, T);
  for (int t = 0; t < T; ++t) {
    const float* s = ep.state(t);
    EXPECT_NEAR(s[0], 0.01 * t, 1e-6);
    EXPECT_NEAR(s[3], std::cos(kTurn * t / 2), 1e-6) << "w first and non-negative";
    EXPECT_NEAR(s[6], std::sin(kTurn * t / 2), 1e-6);
    EXPECT_NEAR(s[7], t >= 3 ? 0.08 : 0.02, 1e-7) << "gripper opening = q0 − q1";
  }
  for (int t = 0; t + 1 < T; ++t) {
    const float* a = ep.action(t);
    EXPECT_NEAR(a[0], 0.01, 1e-6);
    EXPECT_NEAR(a[5], kTurn, 1e-6) << "axis-angle of the per-step rotation about z";
    EXPECT_NEAR(a[3], 0.0, 1e-6);
    EXPECT_NEAR(a[6], t == 2 ? 0.06 : 0.0, 1e-7);
  }
  for (int d = 0; d < kActionDim; ++d) EXPECT_EQ(ep.action(T - 1)[d], 0.f) << "last frame holds";
  EXPECT_EQ(ep.state_mask[8], 0);
  ASSERT_EQ(ep.cameras.size(), 2u);
  EXPECT_EQ(ep.cameras[0].name, "robot0_agentview_left");
  EXPECT_TRUE(ep.cameras[0].has_depth);
  EXPECT_FALSE(ep.cameras[0].calibrated());
  EXPECT_EQ(ep.cameras[1].mount, CameraMount::Wrist);
  EXPECT_FALSE(ep.cameras[1].has_depth);
  EXPECT_NEAR(ep.depth_frame(0, 0)[0], 0.1 / (1 - 0.5 * (1 - 0.01)), 1e-6);
  EXPECT_EQ(ep.rgb_frame(0, 1)[5], (H * W * 3 + 5) % 200);
  EXPECT_EQ(ep.source.at("actions").values[0], 0.5);
  EXPECT_EQ(ep.source.at("obs/robot0_gripper_qpos").shape, (std::vector<int64_t>{T, 2}));
  fs::remove(path);
}

TEST(ImportRobomimic, MissingKeysAndBadFilesAreNamed) {
  const auto path = fresh("broken.hdf5").string();
  {
    auto lock = h5::lock();
    h5::Group root = h5::create_file(path);
    h5::Group obs = root.create_group("data").create_group("demo_3").create_group("obs");
    std::vector<double> pos(T * 3, 0.0);
    obs.write<double>("robot0_eef_pos", {T, 3}, pos.data());
  }
  try {
    import_robomimic(path, {}, [](Episode&&) {});
    FAIL();
  } catch (const xwam::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("broken.hdf5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("demo_3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("robot0_eef_quat"), std::string::npos) << msg;
  }
  std::ofstream(path) << "nope";
  EXPECT_THROW(import_robomimic(path, {}, [](Episode&&) {}), xwam::Error);
  fs::remove(path);
}

TEST(ImportRoboTwin, TwoArmsFixedAndWristCamerasFromExtrinsics) {
  const fs::path dir = fresh("robotwin") / "stack_blocks" / "demo_clean";
  fs::create_directories(dir / "data");
  fs::create_directories(dir / "instructions");
  std::ofstream(dir / "instructions" / "episode0.json") << R"({"seen": ["stack the red block on the blue one"], "unseen": []})";
  const std::string path = (dir / "data" / "episode0.hdf5").string();
  std::vector<double> left(T * 7), right(T * 7), grip(T), head_ext(12), wrist_ext(T * 12), k = {50, 0, 4, 0, 51, 3, 0, 0, 1};
  for (int t = 0; t < T; ++t) {
    const double c = std::cos(kTurn * t / 2), s = std::sin(kTurn * t / 2);
    double l[7] = {0.1 * t, 0.0, 0.8, c, 0, 0, s};
    double r[7] = {-0.2, 0.3, 0.8, 1, 0, 0, 0};
    std::copy(l, l + 7, left.begin() + t * 7);
    std::copy(r, r + 7, right.begin() + t * 7);
    grip[t] = t >= 2 ? 1.0 : 0.0;
    // Wrist camera 5 cm above the left end effector: world→camera = (T_world_ee · offset)^-1.
    Eigen::Isometry3d ee = Eigen::Isometry3d::Identity();
    ee.translation() = Eigen::Vector3d(0.1 * t, 0, 0.8);
    ee.linear() = Eigen::AngleAxisd(kTurn * t, Eigen::Vector3d::UnitZ()).toRotationMatrix();
    Eigen::Isometry3d offset = Eigen::Isometry3d::Identity();
    offset.translation() = Eigen::Vector3d(0, 0, 0.05);
    Eigen::Matrix4d w2c = (ee * offset).inverse().matrix();
    for (int rr = 0; rr < 3; ++rr)
      for (int cc = 0; cc < 4; ++cc) wrist_ext[t * 12 + rr * 4 + cc] = w2c(rr, cc);
  }
  Eigen::Matrix4d head_pose = Eigen::Matrix4d::Identity();
  head_pose(2, 3) = 1.5;
  Eigen::Matrix4d head_w2c = head_pose.inverse();
  for (int rr = 0; rr < 3; ++rr)
    for (int cc = 0; cc < 4; ++cc) head_ext[rr * 4 + cc] = head_w2c(rr, cc);
  {
    auto lock = h5::lock();
    h5::Group root = h5::create_file(path);
    h5::Group endpose = root.create_group("endpose");
    endpose.write<double>("left_endpose", {T, 7}, left.data());
    endpose.write<double>("right_endpose", {T, 7}, right.data());
    endpose.write<double>("left_gripper", {T}, grip.data());
    endpose.write<double>("right_gripper", {T}, grip.data());
    h5::Group obs = root.create_group("observation");
    std::vector<uint8_t> rgb(T * H * W * 3, 77);
    std::vector<uint16_t> depth_mm(T * H * W, 1234);
    for (const char* cam : {"head_camera", "left_camera"}) {
      h5::Group g = obs.create_group(cam);
      g.write<uint8_t>("rgb", {T, H, W, 3}, rgb.data());
      g.write<uint16_t>("depth", {T, H, W}, depth_mm.data());
      g.write<double>("intrinsic_cv", {3, 3}, k.data());
      if (std::string(cam) == "head_camera") {
        g.write<double>("extrinsic_cv", {3, 4}, head_ext.data());
      } else {
        g.write<double>("extrinsic_cv", {T, 3, 4}, wrist_ext.data());
      }
    }
    std::vector<double> joints(T * 14, 0.3);
    root.create_group("joint_action").write<double>("vector", {T, 14}, joints.data());
  }
  const Episode ep = import_robotwin_episode(path, {});
  EXPECT_EQ(ep.instruction, "stack the red block on the blue one");
  EXPECT_EQ(ep.task, "stack_blocks");
  EXPECT_TRUE(ep.arm_present(0));
  EXPECT_TRUE(ep.arm_present(1));
  for (int t = 0; t + 1 < T; ++t) {
    EXPECT_NEAR(ep.action(t)[5], kTurn, 1e-6);
    EXPECT_NEAR(ep.action(t)[6], t == 1 ? 1.0 : 0.0, 1e-7);
    EXPECT_NEAR(ep.action(t)[7], 0.0, 1e-7) << "the right arm stands still";
  }
  ASSERT_EQ(ep.cameras.size(), 2u);
  const int head = ep.camera_index("head_camera"), wrist = ep.camera_index("left_camera");
  EXPECT_EQ(ep.cameras[head].mount, CameraMount::Fixed);
  EXPECT_TRUE(ep.cameras[head].T_world_cam->isApprox(head_pose, 1e-9));
  EXPECT_NEAR(ep.cameras[head].intrinsics->fy, 51, 1e-12);
  EXPECT_EQ(ep.cameras[wrist].mount, CameraMount::Wrist);
  EXPECT_EQ(ep.cameras[wrist].arm, 0);
  // The hand-eye transform read off frame 0 poses the camera right at every later frame.
  for (int t = 0; t < T; ++t) {
    Eigen::Matrix4d w2c = Eigen::Matrix4d::Identity();
    for (int rr = 0; rr < 3; ++rr)
      for (int cc = 0; cc < 4; ++cc) w2c(rr, cc) = wrist_ext[t * 12 + rr * 4 + cc];
    EXPECT_TRUE(ep.camera_pose(wrist, t).isApprox(w2c.inverse(), 1e-6)) << "frame " << t;
  }
  EXPECT_NEAR(ep.depth_frame(head, 0)[0], 1.234, 1e-6);
  EXPECT_EQ(ep.source.at("joint_action/vector").values.size(), static_cast<size_t>(T * 14));
  fs::remove_all(fresh("robotwin"));
}
