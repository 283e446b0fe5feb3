// Closed-loop tabletop simulator: replaying the expert's recorded actions reproduces its states and
// succeeds, zero actions fail, and hand-written action sequences grasp, lift, release and push.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/core/Error.h"
#include "engine/data/synthetic/CameraRig.h"
#include "engine/data/synthetic/Gripper.h"
#include "engine/data/synthetic/SceneGenerator.h"

namespace xwam::data::synthetic {
namespace {

GeneratorOptions tiny(const std::string& task) {
  GeneratorOptions o;
  o.task = task;
  o.width = 32;
  o.height = 24;
  o.frames = 48;
  return o;
}

TEST(SyntheticSim, ReplayingExpertActionsReproducesStatesAndSucceeds) {
  for (const std::string& task : task_names()) {
    const GeneratorOptions o = tiny(task);
    const Episode ep = generate_episode(o, 21);
    // The scene rebuilt from the episode's own arrays is the scene the expert was recorded in.
    TabletopSim sim(scene_spec_from_episode(ep));
    for (int t = 0; t < ep.num_frames; ++t) {
      for (int d = 0; d < kStateDim; ++d)
        ASSERT_EQ(sim.state()[d], ep.state(t)[d]) << task << " frame " << t << " dim " << d;
      if (t + 1 < ep.num_frames) sim.step(ep.action(t));
    }
    EXPECT_TRUE(sim.success()) << task;
    // The simulator renders the recorded last frame again, pixel for pixel.
    const auto views = sim.observe();
    const size_t pixels = static_cast<size_t>(o.width) * o.height;
    for (size_t c = 0; c < views.size(); ++c) {
      EXPECT_TRUE(
          std::equal(views[c].rgb.begin(), views[c].rgb.end(), ep.rgb_frame(static_cast<int>(c), ep.num_frames - 1)));
      EXPECT_TRUE(std::equal(views[c].depth.begin(), views[c].depth.end(),
                             ep.depth_frame(static_cast<int>(c), ep.num_frames - 1)));
      EXPECT_EQ(views[c].depth.size(), pixels);
    }
  }
}

TEST(SyntheticSim, SceneFromEpisodeMatchesTheGeneratedScene) {
  GeneratorOptions o = tiny("");
  o.arms = 2;
  const Episode ep = generate_episode(o, 33);
  const SceneSpec expected = episode_spec(o, 33);
  const SceneSpec rebuilt = scene_spec_from_episode(ep);
  EXPECT_EQ(rebuilt.arms, 2);
  EXPECT_EQ(rebuilt.initial_state, expected.initial_state);
  EXPECT_EQ(rebuilt.task.kind, expected.task.kind);
  EXPECT_EQ(rebuilt.task.object, expected.task.object);
  EXPECT_EQ(rebuilt.task.target, expected.task.target);
  EXPECT_EQ(rebuilt.task.instruction, expected.task.instruction);
  ASSERT_EQ(rebuilt.objects.size(), expected.objects.size());
  for (size_t i = 0; i < rebuilt.objects.size(); ++i) {
    EXPECT_EQ(rebuilt.objects[i].description(), expected.objects[i].description());
    EXPECT_TRUE(rebuilt.objects[i].pose.isApprox(expected.objects[i].pose, 1e-12));
  }
  Episode foreign = ep;
  foreign.source.erase("task_spec");
  EXPECT_THROW(scene_spec_from_episode(foreign), Error);
}

TEST(SyntheticSim, ZeroActionsFailEveryTask) {
  for (const std::string& task : task_names()) {
    const SceneSpec spec = episode_spec(tiny(task), 8);
    TabletopSim sim(spec);
    const auto start = sim.state();
    const float zero[kActionDim] = {};
    for (int t = 0; t < 47; ++t) sim.step(zero);
    EXPECT_FALSE(sim.success()) << task;
    EXPECT_EQ(sim.state(), start);
    for (size_t i = 0; i < spec.objects.size(); ++i)
      EXPECT_TRUE(sim.objects()[i].pose.isApprox(spec.objects[i].pose)) << task;
  }
}

// One cube (5 cm) at the origin, the open gripper 20 cm above it, lift task.
SceneSpec cube_scene(Shape shape = Shape::Cube) {
  SceneSpec spec;
  SceneObject cube;
  cube.shape = shape;
  cube.size = shape == Shape::Cube ? Eigen::Vector3d::Constant(0.05) : Eigen::Vector3d(0.05, 0.05, 0.07);
  cube.pose = upright_pose(cube, 0.0, 0.0, 0.0, TableGeometry::kTopZ);
  SceneObject plate;
  plate.shape = Shape::Plate;
  plate.colour = 2;
  plate.size = Eigen::Vector3d(0.14, 0.14, 0.012);
  plate.pose = upright_pose(plate, 0.2, 0.0, 0.0, TableGeometry::kTopZ);
  spec.objects = {cube, plate};
  spec.task.kind = TaskKind::Lift;
  spec.task.object = 0;
  ArmPose arm;
  arm.pose.linear() = gripper_down_rotation(0.0);
  arm.pose.translation() = Eigen::Vector3d(0.0, 0.0, 0.2);
  arm.gripper = GripperGeometry::kMaxOpening;
  encode_state(arm, spec.initial_state.data());
  spec.cameras = make_camera_rig(32, 24, 1);
  return spec;
}

void step_arm0(TabletopSim& sim, double dx, double dy, double dz, double dgripper, int times) {
  float action[kActionDim] = {};
  action[0] = static_cast<float>(dx);
  action[1] = static_cast<float>(dy);
  action[2] = static_cast<float>(dz);
  action[6] = static_cast<float>(dgripper);
  for (int i = 0; i < times; ++i) sim.step(action);
}

TEST(SyntheticSim, ExternalActionsGraspLiftCarryAndPlace) {
  TabletopSim sim(cube_scene());
  step_arm0(sim, 0, 0, -0.0175, 0, 10);  // down to the cube's centre height (2.5 cm)
  EXPECT_NEAR(sim.arm(0).pose.translation().z(), 0.025, 1e-5);
  EXPECT_EQ(sim.holder(0), -1);
  step_arm0(sim, 0, 0, 0, -0.02, 3);  // close: 8.5 → 2.5 cm would pass the 5 cm cube
  EXPECT_EQ(sim.holder(0), 0);
  EXPECT_NEAR(sim.arm(0).gripper, 0.05, 1e-5) << "fingers stop at the cube";
  EXPECT_FALSE(sim.success());
  step_arm0(sim, 0, 0, 0.02, 0, 6);  // lift 12 cm
  EXPECT_NEAR(sim.objects()[0].bottom_z(), 0.12, 1e-4);
  EXPECT_TRUE(sim.success());
  // Carry over the plate and let go: the cube settles on the plate.
  step_arm0(sim, 0.02, 0, 0, 0, 10);
  step_arm0(sim, 0, 0, 0, 0.02, 1);
  EXPECT_EQ(sim.holder(0), -1);
  EXPECT_NEAR(sim.objects()[0].bottom_z(), sim.objects()[1].top_z(), 1e-9);
  EXPECT_NEAR(sim.objects()[0].pose.translation().x(), 0.2, 1e-4);
  EXPECT_FALSE(sim.success());
}

TEST(SyntheticSim, ClosingBesideAnObjectDoesNotGraspIt) {
  TabletopSim sim(cube_scene());
  step_arm0(sim, 0.1, 0, -0.0175, 0, 10);  // 10 cm beside the cube
  step_arm0(sim, 0, 0, 0, -0.02, 5);
  EXPECT_EQ(sim.holder(0), -1);
  EXPECT_NEAR(sim.arm(0).gripper, 0.0, 1e-6);
}

TEST(SyntheticSim, ClosedGripperPushesAnObject) {
  SceneSpec spec = cube_scene(Shape::Cylinder);
  spec.task.kind = TaskKind::Push;
  spec.task.push_direction = Eigen::Vector2d(0, 1);
  spec.task.start_xy = Eigen::Vector2d(0, 0);
  ArmPose arm;
  arm.pose.translation() = Eigen::Vector3d(0.0, -0.1, 0.02);
  arm.pose.linear() = gripper_down_rotation(M_PI / 2);  // fingers side by side along x
  arm.gripper = 0.0;
  encode_state(arm, spec.initial_state.data());
  TabletopSim sim(spec);
  step_arm0(sim, 0, 0.01, 0, 0, 20);  // sweep 20 cm along +y through the cylinder
  const Eigen::Vector3d c = sim.objects()[0].pose.translation();
  EXPECT_NEAR(c.x(), 0.0, 1e-6);
  EXPECT_GT(c.y(), 0.08);
  EXPECT_NEAR(sim.objects()[0].bottom_z(), 0.0, 1e-9);
  EXPECT_EQ(sim.holder(0), -1);
  EXPECT_TRUE(sim.success());
  EXPECT_TRUE(sim.objects()[1].pose.isApprox(spec.objects[1].pose)) << "the plate is out of the way";
}

TEST(SyntheticSim, CommandsAreClampedAndNonFiniteActionsRejected) {
  TabletopSim sim(cube_scene());
  step_arm0(sim, 5.0, -5.0, 5.0, 1.0, 1);
  const Eigen::Vector3d p = sim.arm(0).pose.translation();
  EXPECT_NEAR(p.x(), Workspace::kMaxX, 1e-6);
  EXPECT_NEAR(p.y(), Workspace::kMinY, 1e-6);
  EXPECT_NEAR(p.z(), Workspace::kMaxZ, 1e-6);
  EXPECT_NEAR(sim.arm(0).gripper, GripperGeometry::kMaxOpening, 1e-6);
  float bad[kActionDim] = {};
  bad[4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(sim.step(bad), Error);
  sim.reset();
  EXPECT_EQ(sim.steps(), 0);
  EXPECT_NEAR(sim.arm(0).pose.translation().z(), 0.2, 1e-6);
}

}  // namespace
}  // namespace xwam::data::synthetic
