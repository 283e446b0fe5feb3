// Task families of the synthetic scenes: what the instruction asks, how it is phrased from the
// scene's objects, and the success predicate computed from object poses.
#pragma once
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/synthetic/Random.h"
#include "engine/data/synthetic/Scene.h"

namespace xwam::data::synthetic {

// pick_place: put a graspable object on the plate.   push: push an object ≥ kPushSuccess_m along a
// direction (left/right = −x/+x, forward/backward = +y/−y as seen from the main camera).
// lift: hold an object with its bottom ≥ kLiftSuccess_m above the table.   stack: put an object on
// top of a cube or cylinder.
// Values are stored in episode files (source array task_spec): append only.
enum class TaskKind { PickPlace = 0, Push = 1, Lift = 2, Stack = 3 };

constexpr double kPushSuccess_m = 0.08;
constexpr double kLiftSuccess_m = 0.08;
constexpr double kPushTravel_m = 0.12;      // how far the expert pushes (push directions leave room for it)
constexpr double kRestTolerance_m = 0.005;  // "resting on" = bottom within this of the support's top

// Names as used on the command line and in Episode::task: "pick_place", "push", "lift", "stack".
std::vector<std::string> task_names();
const char* task_name(TaskKind kind);
TaskKind task_from_name(const std::string& name);  // throws xwam::Error listing the valid names

struct TaskSpec {
  TaskKind kind = TaskKind::PickPlace;
  int object = 0;                                            // index of the object to manipulate
  int target = -1;                                           // pick_place/stack: index of the object to put it on
  Eigen::Vector2d push_direction = Eigen::Vector2d::Zero();  // push: unit vector in world xy
  Eigen::Vector2d start_xy = Eigen::Vector2d::Zero();        // the object's position at reset
  std::string instruction;
};

// Chooses the objects (and push direction) of a task of `kind` in a scene and phrases the
// instruction, e.g. "pick up the red cube and place it on the blue plate". nullopt when the scene
// has no suitable objects (e.g. stack without a second flat-topped object).
std::optional<TaskSpec> sample_task(TaskKind kind, const std::vector<SceneObject>& objects, Rng& rng);

// Success of the task in the world state: `holder[i]` is the arm holding object i, or −1.
bool task_success(const TaskSpec& task, const std::vector<SceneObject>& objects, const std::vector<int>& holder);

}  // namespace xwam::data::synthetic
