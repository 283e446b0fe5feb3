// robomimic import of doubtful input: depth that looks normalized warns once, NaN states and shapes
// that disagree fail naming file, demo and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/importers/RobomimicImporter.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

constexpr int T = 4, W = 4, H = 3;

// One demo of a still arm; `pos_rows` lets a test make the position array disagree with the others.
std::string write_demo(const std::string& name, int pos_rows, double pos_x) {
  const fs::path p = fs::temp_directory_path() / ("xwam_import_err_" + std::to_string(::getpid()) + "_" + name);
  auto lock = h5::lock();
  h5::Group root = h5::create_file(p.string());
  h5::Group data = root.create_group("data");
  data.set_attr("env_args", std::string(R"({"env_name": "open_drawer"})"));
  h5::Group obs = data.create_group("demo_7").create_group("obs");
  std::vector<double> pos(pos_rows * 3, 0.1), quat, qpos(T * 2, 0.0);
  pos[0] = pos_x;
  for (int t = 0; t < T; ++t) quat.insert(quat.end(), {0, 0, 0, 1});
  obs.write<double>("robot0_eef_pos", {pos_rows, 3}, pos.data());
  obs.write<double>("robot0_eef_quat", {T, 4}, quat.data());
  obs.write<double>("robot0_gripper_qpos", {T, 2}, qpos.data());
  std::vector<uint8_t> rgb(T * H * W * 3, 9);
  obs.write<uint8_t>("agentview_image", {T, H, W, 3}, rgb.data());
  std::vector<float> depth(T * H * W, 0.25f);
  obs.write<float>("agentview_depth", {T, H, W}, depth.data());
  return p.string();
}

std::string import_error(const std::string& path) {
  try {
    import_robomimic(path, {}, [](Episode&&) {});
  } catch (const xwam::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ImportRobomimicErrors, NormalizedLookingDepthWarnsOnceAndStaysAsStored) {
  const std::string path = write_demo("depth.hdf5", T, 0.1);
  std::vector<std::string> warnings;
  ImportOptions opt;
  opt.warn = [&](const std::string& w) { warnings.push_back(w); };
  std::vector<Episode> got;
  import_robomimic(path, opt, [&](Episode&& ep) { got.push_back(std::move(ep)); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].instruction, "open drawer") << "env name with underscores as spaces";
  EXPECT_FLOAT_EQ(got[0].depth_frame(0, T - 1)[H * W - 1], 0.25f);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("agentview_depth"), std::string::npos) << warnings[0];

  // With the clip planes the same values become metres and nothing is said.
  warnings.clear();
  opt.depth_near_m = 0.5;
  opt.depth_far_m = 5.0;
  got = import_robomimic_all(path, opt);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NEAR(got[0].depth_frame(0, 0)[0], 0.5 / (1 - 0.25 * (1 - 0.1)), 1e-6);
  EXPECT_TRUE(warnings.empty());
  fs::remove(path);
}

TEST(ImportRobomimicErrors, NanStatesNameFileDemoAndKey) {
  const std::string path = write_demo("nan.hdf5", T, std::numeric_limits<double>::quiet_NaN());
  const std::string msg = import_error(path);
  EXPECT_NE(msg.find("nan.hdf5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("demo_7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("robot0_eef_pos"), std::string::npos) << msg;
  EXPECT_NE(msg.find("frame 0"), std::string::npos) << msg;
  fs::remove(path);
}

TEST(ImportRobomimicErrors, DisagreeingShapesNameTheKey) {
  // The position array sets T; the quaternion array, one row longer, disagrees with it.
  const std::string path = write_demo("shape.hdf5", T - 1, 0.1);
  const std::string msg = import_error(path);
  EXPECT_NE(msg.find("shape.hdf5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("demo_7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("robot0_eef_quat"), std::string::npos) << msg;
  fs::remove(path);
}
