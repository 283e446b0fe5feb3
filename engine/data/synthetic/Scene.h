// The tabletop world of the synthetic scenes: table, room, coloured primitive objects and the
// surface labels the ray caster writes. World frame: z up, metres, table top at z = 0.
#pragma once
#include <Eigen/Geometry>
#include <array>
#include <string>
#include <vector>

namespace xwam::data::synthetic {

// Fixed furniture. The table is a box whose top face is the plane z = 0; the room is a closed box
// around everything, so every camera ray hits some surface (every pixel has a valid depth).
struct TableGeometry {
  static constexpr double kTopZ = 0.0;
  static constexpr double kHalfX = 0.50, kHalfY = 0.35;  // top face is [-0.5, 0.5] × [-0.35, 0.35]
  static constexpr double kThickness = 0.04;
  static constexpr double kFloorZ = -0.75;
  static constexpr double kRoomHalfXY = 2.0, kRoomTopZ = 2.0;
  static bool contains_xy(double x, double y, double margin = 0.0) {
    return x >= -kHalfX + margin && x <= kHalfX - margin && y >= -kHalfY + margin && y <= kHalfY - margin;
  }
};

// Labels in the surface image (one per pixel) that the simulator's renderer writes.
constexpr uint16_t kSurfaceRoom = 1;
constexpr uint16_t kSurfaceTable = 2;
constexpr uint16_t kSurfaceGripper0 = 3;  // + arm index
constexpr uint16_t kSurfaceObject0 = 16;  // + object index

// Values are stored in episode files (source array object_shapes): append only.
enum class Shape { Cube = 0, Cylinder = 1, Sphere = 2, Plate = 3 };
const char* to_string(Shape shape);

struct NamedColour {
  const char* name;
  std::array<float, 3> rgb;  // linear 0..1
};
// The palette objects draw their colours from; names appear in instructions.
const std::vector<NamedColour>& palette();

// One rigid object. Free objects stand upright (pose = translation + yaw about z); a held object
// follows the gripper with any orientation until it is released and settles upright again.
struct SceneObject {
  Shape shape = Shape::Cube;
  int colour = 0;  // index into palette()
  // Cube: side lengths (x, y, z) in its own frame; Cylinder/Plate: (2r, 2r, height); Sphere: (2r, 2r, 2r).
  Eigen::Vector3d size = Eigen::Vector3d::Constant(0.05);
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();  // centre of the object in the world

  std::string description() const;  // "red cube", "blue plate"
  bool graspable() const { return shape != Shape::Plate; }
  bool flat_top() const { return shape != Shape::Sphere; }  // can carry another object
  double half_height() const { return 0.5 * size.z(); }
  double bottom_z() const { return pose.translation().z() - half_height(); }
  double top_z() const { return pose.translation().z() + half_height(); }
  // Radius of a circle in the xy plane that holds the object's footprint.
  double footprint_radius() const;
  // Radius of the circle standing in for the footprint when the object is pushed (cube: inscribed).
  double push_radius() const;
  // Extent of the object along a world direction (e.g. the gripper's closing axis), metres.
  double width_along(const Eigen::Vector3d& direction_world) const;
  // True when world point (x, y) lies over the object's top face, shrunk by `margin`.
  bool top_contains(double x, double y, double margin = 0.0) const;
  // Yaw of the object's x axis about world z (radians).
  double yaw() const;
};

// Upright pose with the object's bottom resting at height `support_z`.
Eigen::Isometry3d upright_pose(const SceneObject& object, double x, double y, double yaw, double support_z);

}  // namespace xwam::data::synthetic
