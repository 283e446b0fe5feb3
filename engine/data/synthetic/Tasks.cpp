#include "engine/data/synthetic/Tasks.h"

#include <cmath>

#include "engine/core/Error.h"

namespace xwam::data::synthetic {

namespace {
constexpr TaskKind kAllTasks[] = {TaskKind::PickPlace, TaskKind::Push, TaskKind::Lift, TaskKind::Stack};

bool rests_on(const SceneObject& object, const SceneObject& support) {
  const Eigen::Vector3d c = object.pose.translation();
  return support.top_contains(c.x(), c.y()) && std::abs(object.bottom_z() - support.top_z()) <= kRestTolerance_m;
}
}  // namespace

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (TaskKind k : kAllTasks) names.emplace_back(task_name(k));
  return names;
}

const char* task_name(TaskKind kind) {
  switch (kind) {
    case TaskKind::PickPlace:
      return "pick_place";
    case TaskKind::Push:
      return "push";
    case TaskKind::Lift:
      return "lift";
    case TaskKind::Stack:
      return "stack";
  }
  return "";
}

TaskKind task_from_name(const std::string& name) {
  std::string valid;
  for (TaskKind k : kAllTasks) {
    if (name == task_name(k)) return k;
    valid += (valid.empty() ? "" : ", ") + std::string(task_name(k));
  }
  throw Error("unknown task '" + name + "' (tasks: " + valid + ")");
}

std::optional<TaskSpec> sample_task(TaskKind kind, const std::vector<SceneObject>& objects, Rng& rng) {
  std::vector<int> graspable, plates, flat_tops;
  for (int i = 0; i < static_cast<int>(objects.size()); ++i) {
    if (objects[i].graspable()) graspable.push_back(i);
    if (objects[i].shape == Shape::Plate) plates.push_back(i);
    if (objects[i].graspable() && objects[i].flat_top()) flat_tops.push_back(i);
  }
  if (graspable.empty()) return std::nullopt;
  TaskSpec task;
  task.kind = kind;
  switch (kind) {
    case TaskKind::PickPlace: {
      if (plates.empty()) return std::nullopt;
      task.object = graspable[rng.index(static_cast<int>(graspable.size()))];
      task.target = plates[rng.index(static_cast<int>(plates.size()))];
      const std::string o = objects[task.object].description(), t = objects[task.target].description();
      task.instruction =
          rng.chance(0.5) ? "pick up the " + o + " and place it on the " + t : "put the " + o + " on the " + t;
      break;
    }
    case TaskKind::Stack: {
      if (flat_tops.empty() || graspable.size() < 2) return std::nullopt;
      task.target = flat_tops[rng.index(static_cast<int>(flat_tops.size()))];
      std::vector<int> movable;
      for (int i : graspable)
        if (i != task.target && objects[i].footprint_radius() <= objects[task.target].footprint_radius() + 0.01)
          movable.push_back(i);
      if (movable.empty()) return std::nullopt;
      task.object = movable[rng.index(static_cast<int>(movable.size()))];
      const std::string o = objects[task.object].description(), t = objects[task.target].description();
      task.instruction = rng.chance(0.5) ? "stack the " + o + " on top of the " + t : "place the " + o + " on the " + t;
      break;
    }
    case TaskKind::Lift: {
      task.object = graspable[rng.index(static_cast<int>(graspable.size()))];
      const std::string verb = rng.chance(0.5) ? "lift the " : "pick up the ";
      const std::string tail = rng.chance(0.5) ? "" : " and hold it up";
      task.instruction = verb + objects[task.object].description() + tail;
      break;
    }
    case TaskKind::Push: {
      task.object = graspable[rng.index(static_cast<int>(graspable.size()))];
      const SceneObject& object = objects[task.object];
      const Eigen::Vector2d c = object.pose.translation().head<2>();
      struct Direction {
        Eigen::Vector2d d;
        const char* phrase;
      };
      const Direction directions[] = {
          {{-1, 0}, "to the left"}, {{1, 0}, "to the right"}, {{0, 1}, "forward"}, {{0, -1}, "backward"}};
      // Directions whose approach point and end point stay on the table, well inside the edge.
      std::vector<int> usable;
      for (int i = 0; i < 4; ++i) {
        const Eigen::Vector2d end = c + directions[i].d * (kPushTravel_m + 0.05);
        const Eigen::Vector2d approach = c - directions[i].d * (object.footprint_radius() + 0.06);
        if (TableGeometry::contains_xy(end.x(), end.y(), 0.06) &&
            TableGeometry::contains_xy(approach.x(), approach.y(), 0.06))
          usable.push_back(i);
      }
      if (usable.empty()) return std::nullopt;
      const Direction& dir = directions[usable[rng.index(static_cast<int>(usable.size()))]];
      task.push_direction = dir.d;
      task.instruction = "push the " + object.description() + " " + dir.phrase;
      break;
    }
  }
  task.start_xy = objects[task.object].pose.translation().head<2>();
  return task;
}

bool task_success(const TaskSpec& task, const std::vector<SceneObject>& objects, const std::vector<int>& holder) {
  const SceneObject& object = objects[task.object];
  const bool held = holder[task.object] >= 0;
  switch (task.kind) {
    case TaskKind::PickPlace:
    case TaskKind::Stack:
      return !held && rests_on(object, objects[task.target]);
    case TaskKind::Lift:
      return held && object.bottom_z() - TableGeometry::kTopZ >= kLiftSuccess_m;
    case TaskKind::Push: {
      const Eigen::Vector2d moved = object.pose.translation().head<2>() - task.start_xy;
      return !held && moved.dot(task.push_direction) >= kPushSuccess_m;
    }
  }
  return false;
}

}  // namespace xwam::data::synthetic
