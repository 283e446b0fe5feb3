#include "engine/data/synthetic/SceneGenerator.h"

#include <cmath>
#include <cstdio>

#include "engine/core/Error.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/synthetic/CameraRig.h"
#include "engine/data/synthetic/ExpertPlanner.h"
#include "engine/data/synthetic/Gripper.h"
#include "engine/data/synthetic/Random.h"

namespace xwam::data::synthetic {

namespace {

constexpr int kSceneDraws = 200;  // attempts to lay out objects that suit the task
constexpr int kExpertDraws = 16;  // scenes tried until the expert succeeds

SceneObject random_object(Shape shape, int colour, Rng& rng) {
  SceneObject o;
  o.shape = shape;
  o.colour = colour;
  switch (shape) {
    case Shape::Cube:
      o.size = Eigen::Vector3d::Constant(rng.uniform(0.04, 0.055));
      break;
    case Shape::Cylinder: {
      const double d = 2 * rng.uniform(0.02, 0.027);
      o.size = Eigen::Vector3d(d, d, rng.uniform(0.05, 0.08));
      break;
    }
    case Shape::Sphere:
      o.size = Eigen::Vector3d::Constant(2 * rng.uniform(0.02, 0.027));
      break;
    case Shape::Plate: {
      const double d = 2 * rng.uniform(0.06, 0.075);
      o.size = Eigen::Vector3d(d, d, 0.012);
      break;
    }
  }
  return o;
}

// Objects placed on the table without overlaps; false when the layout did not fit.
bool lay_out(std::vector<SceneObject>& objects, Rng& rng) {
  for (size_t i = 0; i < objects.size(); ++i) {
    bool placed = false;
    for (int attempt = 0; attempt < 100 && !placed; ++attempt) {
      const double x = rng.uniform(-0.28, 0.28), y = rng.uniform(-0.2, 0.2);
      const double yaw = objects[i].shape == Shape::Cube ? rng.uniform(-M_PI, M_PI) : 0.0;
      placed = true;
      for (size_t j = 0; j < i; ++j) {
        const Eigen::Vector2d other = objects[j].pose.translation().head<2>();
        if ((other - Eigen::Vector2d(x, y)).norm() <
            objects[i].footprint_radius() + objects[j].footprint_radius() + 0.05)
          placed = false;
      }
      if (placed) objects[i].pose = upright_pose(objects[i], x, y, yaw, TableGeometry::kTopZ);
    }
    if (!placed) return false;
  }
  return true;
}

// A gripper pointing down at a random place in the box [lo, hi] with a random yaw and opening.
// One draw per statement: argument evaluation order is unspecified, the sequence of draws must not be.
ArmPose random_gripper(const Eigen::Vector3d& lo, const Eigen::Vector3d& hi, double max_yaw, double min_opening,
                       Rng& rng) {
  Eigen::Vector3d p;
  for (int i = 0; i < 3; ++i) p[i] = rng.uniform(lo[i], hi[i]);
  const double yaw = rng.uniform(-max_yaw, max_yaw);
  ArmPose arm;
  arm.pose.linear() = gripper_down_rotation(yaw);
  arm.pose.translation() = p;
  arm.gripper = rng.uniform(min_opening, GripperGeometry::kMaxOpening);
  return arm;
}

bool expert_succeeds(const SceneSpec& spec, const GeneratorOptions& options) {
  std::vector<ArmPose> targets;
  try {
    targets = plan_expert(spec, options.frames);
  } catch (const Error&) {
    return false;
  }
  TabletopSim sim(spec);
  float action[kActionDim] = {};
  for (int t = 0; t + 1 < options.frames; ++t) {
    encode_action(sim.arm(0), targets[t + 1], action);
    sim.step(action);
  }
  return sim.success();
}

}  // namespace

void GeneratorOptions::validate() const {
  if (!task.empty()) task_from_name(task);
  if (width < 16 || width > 1280 || height < 16 || height > 960)
    throw Error("synthetic scenes: image size " + std::to_string(width) + "x" + std::to_string(height) +
                " outside 16x16 .. 1280x960");
  if (frames < 16) throw Error("synthetic scenes: at least 16 frames per episode (got " + std::to_string(frames) + ")");
  if (!(fps > 0)) throw Error("synthetic scenes: fps must be positive");
  if (arms < 1 || arms > kArms) throw Error("synthetic scenes: arms must be 1 or 2");
}

SceneSpec sample_scene(const GeneratorOptions& options, uint64_t seed) {
  options.validate();
  Rng rng(seed);
  const std::vector<std::string> names = task_names();
  const TaskKind kind =
      task_from_name(options.task.empty() ? names[rng.index(static_cast<int>(names.size()))] : options.task);
  SceneSpec spec;
  spec.arms = options.arms;
  spec.cameras = make_camera_rig(options.width, options.height, options.arms);
  for (int draw = 0; draw < kSceneDraws; ++draw) {
    // Distinct colours, so every object has a unique name in the instruction.
    std::vector<int> colours(palette().size());
    for (size_t i = 0; i < colours.size(); ++i) colours[i] = static_cast<int>(i);
    for (size_t i = colours.size() - 1; i > 0; --i) std::swap(colours[i], colours[rng.index(static_cast<int>(i) + 1)]);
    const int graspable = 2 + rng.index(3);
    std::vector<SceneObject> objects{random_object(Shape::Plate, colours[0], rng)};
    const Shape shapes[] = {Shape::Cube, Shape::Cylinder, Shape::Sphere};
    for (int i = 0; i < graspable; ++i) objects.push_back(random_object(shapes[rng.index(3)], colours[1 + i], rng));
    if (!lay_out(objects, rng)) continue;
    std::optional<TaskSpec> task = sample_task(kind, objects, rng);
    if (!task) continue;
    spec.objects = std::move(objects);
    spec.task = *task;
    break;
  }
  if (spec.objects.empty()) throw Error(std::string("synthetic scenes: no layout found for task ") + task_name(kind));
  // Arm 0 starts above the front half of the table; arm 1 waits at the back left, out of the side
  // camera's line of sight.
  const double x_min = options.arms == 2 ? 0.0 : -0.12;
  encode_state(random_gripper({x_min, -0.15, 0.22}, {0.12, 0.0, 0.32}, 0.5, 0.04, rng), spec.initial_state.data());
  if (options.arms == 2)
    encode_state(random_gripper({-0.38, 0.15, 0.25}, {-0.3, 0.25, 0.32}, 0.3, GripperGeometry::kMaxOpening, rng),
                 spec.initial_state.data() + kStatePerArm);
  return spec;
}

SceneSpec episode_spec(const GeneratorOptions& options, uint64_t seed) {
  for (int draw = 0; draw < kExpertDraws; ++draw) {
    SceneSpec spec = sample_scene(options, mix_seed(seed, draw));
    if (expert_succeeds(spec, options)) return spec;
  }
  throw Error("synthetic scenes: the expert failed in " + std::to_string(kExpertDraws) + " scenes drawn from seed " +
              std::to_string(seed) + " (too few frames?)");
}

Episode generate_episode(const GeneratorOptions& options, uint64_t seed, const CancelToken* cancel) {
  const SceneSpec spec = episode_spec(options, seed);
  const std::vector<ArmPose> targets = plan_expert(spec, options.frames);
  TabletopSim sim(spec, options.render);
  const int T = options.frames;
  const size_t num_objects = spec.objects.size();

  Episode ep;
  char name[40];
  std::snprintf(name, sizeof name, "synthetic_%016llx", static_cast<unsigned long long>(seed));
  ep.name = name;
  ep.instruction = spec.task.instruction;
  ep.task = task_name(spec.task.kind);
  ep.fps = options.fps;
  ep.num_frames = ep.total_frames = T;
  ep.cameras = spec.cameras;
  for (const CameraInfo& cam : ep.cameras) {
    const size_t pixels = static_cast<size_t>(T) * cam.width * cam.height;
    ep.rgb.emplace_back(pixels * 3);
    ep.depth.emplace_back(pixels);
  }
  ep.states.resize(static_cast<size_t>(T) * kStateDim);
  ep.actions.assign(static_cast<size_t>(T) * kActionDim, 0.0f);
  for (int i = 0; i < kStateDim; ++i) ep.state_mask[i] = i / kStatePerArm < spec.arms;
  for (int i = 0; i < kActionDim; ++i) ep.action_mask[i] = i / kActionPerArm < spec.arms;
  SourceArray& shapes = ep.source["object_shapes"];
  shapes.shape = {static_cast<int64_t>(num_objects), 5};
  for (const SceneObject& o : spec.objects)
    for (double v : {static_cast<double>(o.shape), static_cast<double>(o.colour), o.size.x(), o.size.y(), o.size.z()})
      shapes.values.push_back(v);
  const TaskSpec& task = spec.task;
  ep.source["task_spec"] = {
      {7},
      {static_cast<double>(task.kind), static_cast<double>(task.object), static_cast<double>(task.target),
       task.push_direction.x(), task.push_direction.y(), task.start_xy.x(), task.start_xy.y()}};
  SourceArray& poses = ep.source["object_poses"];
  poses.shape = {T, static_cast<int64_t>(num_objects), 7};
  poses.values.reserve(static_cast<size_t>(T) * num_objects * 7);

  for (int t = 0; t < T; ++t) {
    throw_if_cancelled(cancel);
    // Observation and state of frame t.
    const RenderScene scene = sim.render_scene();
    for (size_t c = 0; c < ep.cameras.size(); ++c) {
      const CameraInfo& cam = ep.cameras[c];
      const size_t pixels = static_cast<size_t>(cam.width) * cam.height;
      render_view(scene, *cam.intrinsics, cam.width, cam.height, sim.camera_pose(static_cast<int>(c)), options.render,
                  ep.rgb[c].data() + t * pixels * 3, ep.depth[c].data() + t * pixels, nullptr);
    }
    std::copy(sim.state().begin(), sim.state().end(), ep.states.begin() + static_cast<size_t>(t) * kStateDim);
    for (const SceneObject& o : sim.objects()) {
      Eigen::Quaterniond q(o.pose.rotation());
      if (q.w() < 0) q.coeffs() *= -1.0;
      const Eigen::Vector3d p = o.pose.translation();
      for (double v : {p.x(), p.y(), p.z(), q.w(), q.x(), q.y(), q.z()}) poses.values.push_back(v);
    }
    // The expert's action towards frame t + 1; the last frame's action holds still.
    if (t + 1 < T) {
      float* action = ep.actions.data() + static_cast<size_t>(t) * kActionDim;
      encode_action(sim.arm(0), targets[t + 1], action);
      sim.step(action);
    }
  }
  ep.success = sim.success();
  return ep;
}

SceneSpec scene_spec_from_episode(const Episode& ep) {
  auto array = [&](const char* key, const std::vector<int64_t>& shape) -> const SourceArray& {
    const auto it = ep.source.find(key);
    if (it == ep.source.end())
      throw Error("", "episode " + ep.name, "no synthetic scene array '" + std::string(key) + "'");
    size_t count = 1;
    for (int64_t n : shape) count *= static_cast<size_t>(n);
    if (it->second.shape != shape || it->second.values.size() != count)
      throw Error("", "episode " + ep.name + " key " + key, "unexpected shape for a synthetic scene array");
    return it->second;
  };
  if (ep.first_frame != 0 || ep.num_frames < 1)
    throw Error("", "episode " + ep.name, "the synthetic scene needs the episode's first frame");
  const int64_t n = ep.source.count("object_shapes") ? ep.source.at("object_shapes").shape.at(0) : 0;
  const SourceArray& shapes = array("object_shapes", {n, 5});
  const SourceArray& poses = array("object_poses", {ep.total_frames, n, 7});
  const SourceArray& task = array("task_spec", {7});

  SceneSpec spec;
  for (int64_t i = 0; i < n; ++i) {
    const double* s = shapes.values.data() + i * 5;
    const double* p = poses.values.data() + i * 7;  // frame 0
    if (s[0] < 0 || s[0] > static_cast<double>(Shape::Plate) || s[1] < 0 || s[1] >= palette().size())
      throw Error("", "episode " + ep.name + " key object_shapes", "shape or colour out of range");
    SceneObject o;
    o.shape = static_cast<Shape>(static_cast<int>(s[0]));
    o.colour = static_cast<int>(s[1]);
    o.size = Eigen::Vector3d(s[2], s[3], s[4]);
    o.pose.linear() = Eigen::Quaterniond(p[3], p[4], p[5], p[6]).normalized().toRotationMatrix();
    o.pose.translation() = Eigen::Vector3d(p[0], p[1], p[2]);
    spec.objects.push_back(o);
  }
  if (task.values[0] < 0 || task.values[0] > static_cast<double>(TaskKind::Stack))
    throw Error("", "episode " + ep.name + " key task_spec", "unknown task kind");
  spec.task.kind = static_cast<TaskKind>(static_cast<int>(task.values[0]));
  spec.task.object = static_cast<int>(task.values[1]);
  spec.task.target = static_cast<int>(task.values[2]);
  spec.task.push_direction = Eigen::Vector2d(task.values[3], task.values[4]);
  spec.task.start_xy = Eigen::Vector2d(task.values[5], task.values[6]);
  spec.task.instruction = ep.instruction;
  if (spec.task.object < 0 || spec.task.object >= n || spec.task.target >= n)
    throw Error("", "episode " + ep.name + " key task_spec", "object index out of range");
  spec.arms = ep.arm_present(1) ? 2 : 1;
  std::copy(ep.state(0), ep.state(0) + kStateDim, spec.initial_state.begin());
  spec.cameras = ep.cameras;
  return spec;
}

void generate_episodes(const GeneratorOptions& options, int count, uint64_t seed,
                       const std::function<void(Episode&&)>& sink, const ProgressFn& progress,
                       const CancelToken* cancel) {
  options.validate();
  for (int i = 0; i < count; ++i) {
    throw_if_cancelled(cancel);
    Episode ep = generate_episode(options, mix_seed(seed, static_cast<uint64_t>(i)), cancel);
    char name[32];
    std::snprintf(name, sizeof name, "episode_%06d", i);
    ep.name = name;
    if (progress) progress({"generate", i + 1, count, ep.name + " " + ep.task + ": " + ep.instruction});
    sink(std::move(ep));
  }
}

}  // namespace xwam::data::synthetic
