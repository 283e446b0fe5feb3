#include "engine/data/synthetic/ExpertPlanner.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/synthetic/Gripper.h"

namespace xwam::data::synthetic {

namespace {

struct Waypoint {
  Eigen::Vector3d position;
  double yaw;
  double gripper;
};

constexpr double kApproachHeight_m = 0.12;  // above the grasp / push height
constexpr double kPushHeight_m = 0.02;      // TCP height while pushing
constexpr double kPushGap_m = 0.03;         // free travel before the fingers touch a pushed object
constexpr double kPlaceDrop_m = 0.004;      // object bottom above its support when released

double wrap_angle(double a) { return std::atan2(std::sin(a), std::cos(a)); }

// Of the yaws base + k·period, the one nearest `current` (keeps the expert from spinning the wrist).
double nearest_yaw(double base, double period, double current) {
  double best = base, best_diff = 1e9;
  for (int k = -4; k <= 4; ++k) {
    const double candidate = wrap_angle(base + k * period);
    const double diff = std::abs(wrap_angle(candidate - current));
    if (std::abs(candidate) < M_PI - 1e-3 && diff < best_diff) {
      best = candidate;
      best_diff = diff;
    }
  }
  return best;
}

Eigen::Vector3d xy_at(const Eigen::Vector3d& p, double z) { return {p.x(), p.y(), z}; }

std::vector<Waypoint> grasp_waypoints(const SceneSpec& spec, const Waypoint& start, double& grasp_z, double& yaw,
                                      double& width) {
  const SceneObject& object = spec.objects[spec.task.object];
  const Eigen::Vector3d c = object.pose.translation();
  grasp_z = std::max(c.z(), 0.02);
  // Boxes are taken across a pair of faces; round objects from any side.
  yaw = object.shape == Shape::Cube ? nearest_yaw(object.yaw(), M_PI / 2, start.yaw) : start.yaw;
  width = object.width_along(gripper_down_rotation(yaw).col(1));
  if (width > GripperGeometry::kMaxOpening - 0.01)
    throw Error("synthetic expert: the " + object.description() + " is too wide to grasp");
  const double open = GripperGeometry::kMaxOpening;
  return {
      {xy_at(c, grasp_z + kApproachHeight_m), yaw, open},
      {xy_at(c, grasp_z), yaw, open},
      {xy_at(c, grasp_z), yaw, width},
  };
}

std::vector<Waypoint> task_waypoints(const SceneSpec& spec, const Waypoint& start) {
  const TaskSpec& task = spec.task;
  const SceneObject& object = spec.objects[task.object];
  const Eigen::Vector3d c = object.pose.translation();
  std::vector<Waypoint> w;
  switch (task.kind) {
    case TaskKind::Lift: {
      double grasp_z, yaw, width;
      w = grasp_waypoints(spec, start, grasp_z, yaw, width);
      w.push_back({xy_at(c, grasp_z + 0.15), yaw, width});
      break;
    }
    case TaskKind::PickPlace:
    case TaskKind::Stack: {
      double grasp_z, yaw, width;
      w = grasp_waypoints(spec, start, grasp_z, yaw, width);
      const SceneObject& support = spec.objects[task.target];
      const Eigen::Vector3d t = support.pose.translation();
      const double grip_above_bottom = grasp_z - object.bottom_z();
      const double place_z = support.top_z() + grip_above_bottom + kPlaceDrop_m;
      const double carry_z = std::max(grasp_z + 0.15, place_z + 0.08);
      w.push_back({xy_at(c, carry_z), yaw, width});
      w.push_back({xy_at(t, carry_z), yaw, width});
      w.push_back({xy_at(t, place_z), yaw, width});
      w.push_back({xy_at(t, place_z), yaw, GripperGeometry::kMaxOpening});
      w.push_back({xy_at(t, place_z + kApproachHeight_m), yaw, GripperGeometry::kMaxOpening});
      break;
    }
    case TaskKind::Push: {
      // Closed fingers side by side across the push direction; start behind the object.
      const Eigen::Vector3d d(task.push_direction.x(), task.push_direction.y(), 0.0);
      const double yaw = nearest_yaw(std::atan2(d.y(), d.x()), M_PI, start.yaw);
      const double contact = object.push_radius() + 0.5 * GripperGeometry::kFingerWidth;
      const Eigen::Vector3d from = xy_at(c - d * (contact + kPushGap_m), kPushHeight_m);
      const Eigen::Vector3d to = from + d * (kPushGap_m + kPushTravel_m);
      w.push_back({from + Eigen::Vector3d(0, 0, kApproachHeight_m), yaw, 0.0});
      w.push_back({from, yaw, 0.0});
      w.push_back({to, yaw, 0.0});
      w.push_back({to + Eigen::Vector3d(0, 0, kApproachHeight_m), yaw, 0.0});
      break;
    }
  }
  return w;
}

double smoothstep(double u) { return u * u * (3.0 - 2.0 * u); }

}  // namespace

std::vector<ArmPose> plan_expert(const SceneSpec& spec, int frames, const ExpertSpeeds& speeds) {
  const ArmPose initial = arm_pose_from_state(spec.initial_state.data());
  const Waypoint start{initial.pose.translation(), gripper_yaw(initial.pose.rotation()), initial.gripper};
  std::vector<Waypoint> waypoints = task_waypoints(spec, start);
  waypoints.insert(waypoints.begin(), start);

  // Natural length of each segment from the speed limits.
  const int segments = static_cast<int>(waypoints.size()) - 1;
  std::vector<double> natural(segments);
  double total = 0;
  for (int i = 0; i < segments; ++i) {
    const Waypoint &a = waypoints[i], &b = waypoints[i + 1];
    natural[i] = std::max({(b.position - a.position).norm() / speeds.position_m,
                           std::abs(wrap_angle(b.yaw - a.yaw)) / speeds.yaw_rad,
                           std::abs(b.gripper - a.gripper) / speeds.gripper_m, 1.0});
    total += natural[i];
  }
  // Fit the plan into ~85% of the transitions, leaving a short hold at the end.
  const int budget = frames - 1;
  if (budget < segments + 1)
    throw Error("synthetic expert: " + std::to_string(frames) + " frames are too few for task " +
                task_name(spec.task.kind));
  const double scale = 0.85 * budget / total;
  std::vector<int> steps(segments);
  int used = 0;
  for (int i = 0; i < segments; ++i) {
    steps[i] = std::max(1, static_cast<int>(std::floor(natural[i] * scale)));
    used += steps[i];
  }
  for (int i = 0; used > budget; i = (i + 1) % segments)
    if (steps[i] > 1) {
      --steps[i];
      --used;
    }

  // Eased interpolation inside each segment; yaw along the short way round.
  std::vector<ArmPose> targets;
  targets.reserve(frames);
  targets.push_back(initial);
  for (int i = 0; i < segments; ++i) {
    const Waypoint &a = waypoints[i], &b = waypoints[i + 1];
    const double dyaw = wrap_angle(b.yaw - a.yaw);
    for (int k = 1; k <= steps[i]; ++k) {
      const double s = smoothstep(static_cast<double>(k) / steps[i]);
      ArmPose target;
      target.pose.linear() = gripper_down_rotation(a.yaw + s * dyaw);
      target.pose.translation() = a.position + s * (b.position - a.position);
      target.gripper = a.gripper + s * (b.gripper - a.gripper);
      targets.push_back(target);
    }
  }
  while (static_cast<int>(targets.size()) < frames) targets.push_back(targets.back());
  return targets;
}

}  // namespace xwam::data::synthetic
