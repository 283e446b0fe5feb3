#include "engine/data/synthetic/Scene.h"

#include <algorithm>
#include <cmath>

namespace xwam::data::synthetic {

const char* to_string(Shape shape) {
  switch (shape) {
    case Shape::Cube:
      return "cube";
    case Shape::Cylinder:
      return "cylinder";
    case Shape::Sphere:
      return "ball";
    case Shape::Plate:
      return "plate";
  }
  return "object";
}

const std::vector<NamedColour>& palette() {
  static const std::vector<NamedColour> colours = {
      {"red", {0.85f, 0.12f, 0.10f}},    {"green", {0.15f, 0.70f, 0.20f}}, {"blue", {0.12f, 0.30f, 0.90f}},
      {"yellow", {0.95f, 0.85f, 0.10f}}, {"orange", {1.0f, 0.50f, 0.05f}}, {"purple", {0.55f, 0.20f, 0.75f}},
      {"white", {0.92f, 0.92f, 0.90f}},  {"pink", {0.98f, 0.50f, 0.70f}},
  };
  return colours;
}

std::string SceneObject::description() const { return std::string(palette()[colour].name) + " " + to_string(shape); }

double SceneObject::footprint_radius() const {
  if (shape == Shape::Cube) return 0.5 * std::hypot(size.x(), size.y());
  return 0.5 * size.x();
}

double SceneObject::push_radius() const {
  return shape == Shape::Cube ? 0.5 * std::min(size.x(), size.y()) : 0.5 * size.x();
}

double SceneObject::width_along(const Eigen::Vector3d& direction_world) const {
  const Eigen::Vector3d d = direction_world.normalized();
  if (shape == Shape::Cube) {
    const Eigen::Matrix3d R = pose.rotation();
    double w = 0;
    for (int i = 0; i < 3; ++i) w += std::abs(R.col(i).dot(d)) * size[i];
    return w;
  }
  if (shape == Shape::Sphere) return size.x();
  // Upright cylinder: diameter across, height along its axis.
  const double along_axis = std::abs(pose.rotation().col(2).dot(d));
  return size.x() * std::sqrt(std::max(0.0, 1.0 - along_axis * along_axis)) + size.z() * along_axis;
}

bool SceneObject::top_contains(double x, double y, double margin) const {
  const Eigen::Vector3d local = pose.inverse() * Eigen::Vector3d(x, y, pose.translation().z());
  if (shape == Shape::Cube)
    return std::abs(local.x()) <= 0.5 * size.x() - margin && std::abs(local.y()) <= 0.5 * size.y() - margin;
  return std::hypot(local.x(), local.y()) <= 0.5 * size.x() - margin;
}

double SceneObject::yaw() const {
  const Eigen::Vector3d x = pose.rotation().col(0);
  return std::atan2(x.y(), x.x());
}

Eigen::Isometry3d upright_pose(const SceneObject& object, double x, double y, double yaw, double support_z) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.linear() = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  pose.translation() = Eigen::Vector3d(x, y, support_z + object.half_height());
  return pose;
}

}  // namespace xwam::data::synthetic
