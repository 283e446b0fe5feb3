#include "engine/data/synthetic/TabletopSim.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/Error.h"
#include "engine/data/synthetic/Gripper.h"

namespace xwam::data::synthetic {

namespace {
constexpr double kGraspTolerance_m = 0.002;  // closing to within this of an object's width grasps it
constexpr double kReleaseMargin_m = 0.004;   // opening this far beyond the held width releases it
constexpr double kContactStep_m = 0.004;     // longest gripper motion between two contact checks

// Moves circle (c, r) out of the rectangle (centre, unit axes u ⟂ v, half sizes hu, hv) along the
// shortest way; returns whether it moved.
bool push_circle_out_of_rect(Eigen::Vector2d& c, double r, const Eigen::Vector2d& centre, const Eigen::Vector2d& u,
                             const Eigen::Vector2d& v, double hu, double hv) {
  const Eigen::Vector2d q = c - centre;
  const double lu = q.dot(u), lv = q.dot(v);
  const double nu = std::clamp(lu, -hu, hu), nv = std::clamp(lv, -hv, hv);
  const Eigen::Vector2d diff = (lu - nu) * u + (lv - nv) * v;
  const double dist = diff.norm();
  if (dist >= r) return false;
  if (dist > 1e-12) {
    c += diff / dist * (r - dist);
    return true;
  }
  // Centre inside the rectangle: leave through the nearer side.
  const double pen_u = hu - std::abs(lu) + r, pen_v = hv - std::abs(lv) + r;
  if (pen_u <= pen_v)
    c += u * (lu >= 0 ? pen_u : -pen_u);
  else
    c += v * (lv >= 0 ? pen_v : -pen_v);
  return true;
}

Material plain(float r, float g, float b) {
  Material m;
  m.albedo = Eigen::Vector3f(r, g, b);
  return m;
}
}  // namespace

TabletopSim::TabletopSim(SceneSpec spec, RenderOptions render_options)
    : spec_(std::move(spec)), render_options_(render_options) {
  if (spec_.arms < 1 || spec_.arms > kArms) throw Error("synthetic scene: arms must be 1 or 2");
  reset();
}

void TabletopSim::reset() {
  state_ = spec_.initial_state;
  std::fill(state_.begin() + spec_.arms * kStatePerArm, state_.end(), 0.0f);
  objects_ = spec_.objects;
  holder_.assign(objects_.size(), -1);
  grasp_offset_.assign(objects_.size(), Eigen::Isometry3d::Identity());
  grasp_width_.assign(objects_.size(), 0.0);
  steps_ = 0;
}

ArmPose TabletopSim::arm(int index) const { return arm_pose_from_state(state_.data() + index * kStatePerArm); }

void TabletopSim::step(const float* action14) {
  for (int i = 0; i < kActionDim; ++i)
    if (!std::isfinite(action14[i]))
      throw Error("synthetic simulator: non-finite action value at index " + std::to_string(i));
  for (int a = 0; a < spec_.arms; ++a) move_arm(a, action14 + a * kActionPerArm);
  ++steps_;
}

void TabletopSim::move_arm(int a, const float* action7) {
  using W = Workspace;
  const ArmPose current = arm(a);
  ArmPose target = apply_action(current, action7);
  Eigen::Vector3d p = target.pose.translation();
  p = Eigen::Vector3d(std::clamp(p.x(), W::kMinX, W::kMaxX), std::clamp(p.y(), W::kMinY, W::kMaxY),
                      std::clamp(p.z(), W::kMinZ, W::kMaxZ));
  target.pose.translation() = p;
  target.gripper = std::clamp(target.gripper, 0.0, GripperGeometry::kMaxOpening);

  // Gripper: keep or release the object it holds, or take one it closes onto.
  int held = -1, released = -1, grasped = -1;
  for (size_t o = 0; o < objects_.size(); ++o)
    if (holder_[o] == a) held = static_cast<int>(o);
  if (held >= 0 && target.gripper > grasp_width_[held] + kReleaseMargin_m) {
    released = held;
  } else if (held >= 0) {
    target.gripper = std::max(target.gripper, grasp_width_[held]);
  } else if (target.gripper < current.gripper) {
    grasped = find_grasp(current, target);
    if (grasped >= 0) target.gripper = std::max(target.gripper, grasp_width_[grasped]);
  }

  // The recorded state is the arm's pose from now on; held objects follow it exactly.
  encode_state(target, state_.data() + a * kStatePerArm);
  const ArmPose end = arm(a);
  if (grasped >= 0) {
    holder_[grasped] = a;
    grasp_offset_[grasped] = end.pose.inverse() * objects_[grasped].pose;
  }
  for (size_t o = 0; o < objects_.size(); ++o)
    if (holder_[o] == a || static_cast<int>(o) == released) objects_[o].pose = end.pose * grasp_offset_[o];
  if (released >= 0) {
    holder_[released] = -1;
    settle(released);
  }
  sweep_contacts(current, end);
}

int TabletopSim::find_grasp(const ArmPose& current, const ArmPose& target) {
  // The nearest free object between the fingers whose width the closing fingers reach.
  int grasped = -1;
  double best = 1e9;
  const Eigen::Isometry3d ee_inverse = target.pose.inverse();
  const Eigen::Vector3d closing_axis = target.pose.rotation().col(1);
  for (size_t o = 0; o < objects_.size(); ++o) {
    if (holder_[o] >= 0 || !objects_[o].graspable()) continue;
    const Eigen::Vector3d q = ee_inverse * objects_[o].pose.translation();
    const double width = objects_[o].width_along(closing_axis);
    const bool between =
        q.x() <= GripperGeometry::kFingerTip && q.x() >= GripperGeometry::kFingerTip - GripperGeometry::kFingerLength &&
        std::abs(q.y()) < 0.5 * current.gripper && std::abs(q.z()) <= 0.5 * GripperGeometry::kFingerWidth + 0.01;
    if (between && current.gripper >= width && target.gripper <= width + kGraspTolerance_m && q.norm() < best) {
      best = q.norm();
      grasped = static_cast<int>(o);
      grasp_width_[o] = width;
    }
  }
  return grasped;
}

void TabletopSim::sweep_contacts(const ArmPose& from, const ArmPose& to) {
  // Sub-steps short enough that a finger never jumps past an object.
  const double distance = (to.pose.translation() - from.pose.translation()).norm();
  const int substeps = std::clamp(static_cast<int>(std::ceil(distance / kContactStep_m)), 1, 64);
  const Eigen::Quaterniond q0(from.pose.rotation()), q1(to.pose.rotation());
  for (int k = 1; k <= substeps; ++k) {
    const double s = static_cast<double>(k) / substeps;
    ArmPose along;
    along.pose.linear() = q0.slerp(s, q1).toRotationMatrix();
    along.pose.translation() = (1 - s) * from.pose.translation() + s * to.pose.translation();
    along.gripper = (1 - s) * from.gripper + s * to.gripper;
    push_objects(along);
  }
}

void TabletopSim::push_objects(const ArmPose& gripper) {
  for (const GripperPart& part : gripper_parts(gripper)) {
    if (!part.finger) continue;
    const Eigen::Matrix3d R = part.pose.rotation();
    double low_z = part.pose.translation().z();
    for (int i = 0; i < 3; ++i) low_z -= std::abs(R(2, i)) * part.half_extents[i];
    // The finger's footprint: the rectangle spanned by its closing-axis and width-axis sides.
    Eigen::Vector2d u = R.col(1).head<2>(), v = R.col(2).head<2>();
    if (u.norm() < 1e-6 || v.norm() < 1e-6) continue;
    u.normalize();
    v = (v - v.dot(u) * u).normalized();
    const Eigen::Vector2d centre = part.pose.translation().head<2>();
    for (size_t o = 0; o < objects_.size(); ++o) {
      SceneObject& object = objects_[o];
      if (holder_[o] >= 0 || low_z >= object.top_z()) continue;
      Eigen::Vector2d c = object.pose.translation().head<2>();
      if (!push_circle_out_of_rect(c, object.push_radius(), centre, u, v, part.half_extents.y(), part.half_extents.z()))
        continue;
      object.pose.translation().head<2>() = c;
      settle(static_cast<int>(o));
    }
  }
}

void TabletopSim::settle(int index) {
  SceneObject& object = objects_[index];
  const Eigen::Vector3d c = object.pose.translation();
  double support = TableGeometry::contains_xy(c.x(), c.y()) ? TableGeometry::kTopZ : TableGeometry::kFloorZ;
  for (size_t j = 0; j < objects_.size(); ++j) {
    const SceneObject& other = objects_[j];
    if (static_cast<int>(j) == index || holder_[j] >= 0 || !other.flat_top()) continue;
    if (other.top_contains(c.x(), c.y()) && other.top_z() <= object.bottom_z() + 0.01)
      support = std::max(support, other.top_z());
  }
  object.pose = upright_pose(object, c.x(), c.y(), object.yaw(), support);
}

bool TabletopSim::success() const { return task_success(spec_.task, objects_, holder_); }

RenderScene TabletopSim::render_scene() const {
  using T = TableGeometry;
  RenderScene scene;
  auto add = [&](PrimitiveKind kind, const Eigen::Isometry3d& pose, const Eigen::Vector3d& half, const Material& m,
                 uint16_t surface, bool shadow) {
    Primitive p;
    p.kind = kind;
    p.pose = pose;
    p.half_extents = half;
    p.material = m;
    p.surface = surface;
    p.casts_shadow = shadow;
    scene.primitives.push_back(p);
  };
  auto at = [](double x, double y, double z) {
    Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
    pose.translation() = Eigen::Vector3d(x, y, z);
    return pose;
  };
  // Room: pale walls, a large grey checker on the floor.
  Material room = plain(0.80f, 0.82f, 0.86f);
  room.checker_albedo = Eigen::Vector3f(0.50f, 0.50f, 0.53f);
  room.checker_m = 0.5;
  const double room_half_z = 0.5 * (T::kRoomTopZ - T::kFloorZ);
  add(PrimitiveKind::Room, at(0, 0, T::kFloorZ + room_half_z), {T::kRoomHalfXY, T::kRoomHalfXY, room_half_z}, room,
      kSurfaceRoom, false);
  // Table: wooden top with a 5 cm checker, four legs.
  Material wood = plain(0.78f, 0.62f, 0.44f);
  wood.checker_albedo = Eigen::Vector3f(0.66f, 0.50f, 0.34f);
  wood.checker_m = 0.05;
  add(PrimitiveKind::Box, at(0, 0, T::kTopZ - 0.5 * T::kThickness), {T::kHalfX, T::kHalfY, 0.5 * T::kThickness}, wood,
      kSurfaceTable, true);
  const double leg_half_z = 0.5 * (T::kTopZ - T::kThickness - T::kFloorZ);
  for (double sx : {-1.0, 1.0})
    for (double sy : {-1.0, 1.0})
      add(PrimitiveKind::Box, at(sx * (T::kHalfX - 0.05), sy * (T::kHalfY - 0.05), T::kFloorZ + leg_half_z),
          {0.025, 0.025, leg_half_z}, plain(0.45f, 0.33f, 0.22f), kSurfaceTable, true);
  // Objects in their palette colours.
  for (size_t i = 0; i < objects_.size(); ++i) {
    const SceneObject& o = objects_[i];
    const auto& rgb = palette()[o.colour].rgb;
    const Material m = plain(rgb[0], rgb[1], rgb[2]);
    const uint16_t label = static_cast<uint16_t>(kSurfaceObject0 + i);
    switch (o.shape) {
      case Shape::Cube:
        add(PrimitiveKind::Box, o.pose, 0.5 * o.size, m, label, true);
        break;
      case Shape::Cylinder:
      case Shape::Plate:
        add(PrimitiveKind::Cylinder, o.pose, {0.5 * o.size.x(), 0.5 * o.size.x(), 0.5 * o.size.z()}, m, label, true);
        break;
      case Shape::Sphere:
        add(PrimitiveKind::Sphere, o.pose, 0.5 * o.size, m, label, true);
        break;
    }
  }
  // Grippers: light fingers on a dark body.
  for (int a = 0; a < spec_.arms; ++a)
    for (const GripperPart& part : gripper_parts(arm(a)))
      add(PrimitiveKind::Box, part.pose, part.half_extents,
          part.finger ? plain(0.85f, 0.85f, 0.88f) : plain(0.22f, 0.22f, 0.25f),
          static_cast<uint16_t>(kSurfaceGripper0 + a), true);
  return scene;
}

Eigen::Isometry3d TabletopSim::camera_pose(int camera) const {
  const CameraInfo& cam = spec_.cameras.at(camera);
  if (cam.mount == CameraMount::Fixed) return Eigen::Isometry3d(*cam.T_world_cam);
  return arm(cam.arm).pose * Eigen::Isometry3d(*cam.T_ee_cam);
}

void TabletopSim::render(int camera, uint8_t* rgb, float* depth, uint16_t* surface) const {
  const CameraInfo& cam = spec_.cameras.at(camera);
  render_view(render_scene(), *cam.intrinsics, cam.width, cam.height, camera_pose(camera), render_options_, rgb, depth,
              surface);
}

std::vector<ViewImage> TabletopSim::observe() const {
  std::vector<ViewImage> views(spec_.cameras.size());
  const RenderScene scene = render_scene();
  for (size_t c = 0; c < spec_.cameras.size(); ++c) {
    const CameraInfo& cam = spec_.cameras[c];
    const size_t pixels = static_cast<size_t>(cam.width) * cam.height;
    views[c].rgb.resize(pixels * 3);
    views[c].depth.resize(pixels);
    views[c].surface.resize(pixels);
    render_view(scene, *cam.intrinsics, cam.width, cam.height, camera_pose(static_cast<int>(c)), render_options_,
                views[c].rgb.data(), views[c].depth.data(), views[c].surface.data());
  }
  return views;
}

}  // namespace xwam::data::synthetic
