// The tabletop simulator: a kinematic world stepped with X-WAM's 14-d relative actions, rendering
// the rig's cameras and scoring the task. Used by the scripted expert and to score policies.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "engine/data/Camera.h"
#include "engine/data/Episode.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/synthetic/RayCaster.h"
#include "engine/data/synthetic/Scene.h"
#include "engine/data/synthetic/Tasks.h"

namespace xwam::data::synthetic {

// Everything that defines an episode's start: objects, task, arms and cameras.
struct SceneSpec {
  std::vector<SceneObject> objects;  // poses at reset
  TaskSpec task;
  int arms = 1;  // 1 or 2
  // State at reset as recorded (encode_state per arm, arm 1 all zero with one arm). Floats, so that
  // a scene rebuilt from an episode starts bit for bit where the recording started.
  std::array<float, kStateDim> initial_state{};
  std::vector<CameraInfo> cameras;  // make_camera_rig(...)
};

// Limits the simulator enforces on every commanded target.
struct Workspace {
  static constexpr double kMinX = -0.45, kMaxX = 0.45, kMinY = -0.33, kMaxY = 0.33;
  static constexpr double kMinZ = 0.015, kMaxZ = 0.55;  // TCP height; fingertips stay above the table
};

// One rendered view of the current state (row-major; see render_view for the depth convention).
struct ViewImage {
  std::vector<uint8_t> rgb;       // H·W·3
  std::vector<float> depth;       // H·W metres (z-depth), > 0 everywhere
  std::vector<uint16_t> surface;  // H·W labels (kSurfaceRoom, kSurfaceTable, ...)
};

// Usage (closed loop):
//   TabletopSim sim(spec);                    // state at reset
//   for (...) {
//     auto views = sim.observe();             // one ViewImage per spec.cameras entry
//     sim.step(policy(views, sim.state()));   // 14 floats, un-normalized
//   }
//   bool ok = sim.success();
// Physics is kinematic: each arm moves exactly to its commanded target (clamped to the Workspace,
// the opening to [0, kMaxOpening]). A closing gripper grasps an object between its fingers, and the
// opening then stays at the object's width until the command opens it again. A released object
// settles upright on the highest support below it. Fingers low enough push free objects out of their
// way, checked every 4 mm along the motion (finger footprints are rectangles, object footprints
// circles, a cube's its inscribed circle); objects do not push each other.
// The next state is encode_state(apply_action(arm_pose_from_state(s_t), a_t)) unless a clamp or a
// grasp applies. Deterministic; not thread-safe (one simulator per thread).
class TabletopSim {
 public:
  explicit TabletopSim(SceneSpec spec, RenderOptions render_options = {});

  void reset();
  // Applies a 14-d action (arm 1's part ignored with one arm). Non-finite values throw xwam::Error.
  void step(const float* action14);

  const std::array<float, kStateDim>& state() const { return state_; }  // 16 floats, arm 1 zero with one arm
  ArmPose arm(int index) const;
  const std::vector<SceneObject>& objects() const { return objects_; }
  int holder(int object) const { return holder_[object]; }  // arm holding it, −1 when free
  bool success() const;
  int steps() const { return steps_; }
  const SceneSpec& spec() const { return spec_; }

  // Primitives of the current world (room, table, objects, grippers) for the ray caster.
  RenderScene render_scene() const;
  // Camera-to-world pose of spec().cameras[camera] in the current state.
  Eigen::Isometry3d camera_pose(int camera) const;
  std::vector<ViewImage> observe() const;
  // Renders one camera into caller-owned buffers (H·W·3, H·W, H·W or null).
  void render(int camera, uint8_t* rgb, float* depth, uint16_t* surface) const;

 private:
  void move_arm(int arm, const float* action7);
  int find_grasp(const ArmPose& current, const ArmPose& target);  // object index or −1
  void sweep_contacts(const ArmPose& from, const ArmPose& to);
  void push_objects(const ArmPose& gripper);
  void settle(int object);

  SceneSpec spec_;
  RenderOptions render_options_;
  std::array<float, kStateDim> state_{};
  std::vector<SceneObject> objects_;
  std::vector<int> holder_;
  std::vector<Eigen::Isometry3d> grasp_offset_;  // T_ee_object while held
  std::vector<double> grasp_width_;              // opening the fingers stop at while held
  int steps_ = 0;
};

}  // namespace xwam::data::synthetic
