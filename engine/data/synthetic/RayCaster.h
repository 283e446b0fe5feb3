// CPU ray caster for the synthetic scenes: analytic boxes, cylinders, spheres and an enclosing room,
// Lambert + ambient shading with hard shadows from one directional light, exact metric depth.
#pragma once
#include <Eigen/Geometry>
#include <cstdint>
#include <vector>

#include "engine/data/Camera.h"

namespace xwam::data::synthetic {

enum class PrimitiveKind { Box, Cylinder, Sphere, Room };

struct Material {
  Eigen::Vector3f albedo{0.7f, 0.7f, 0.7f};
  // Upward-facing surfaces (normal z > 0.9) alternate between albedo and checker_albedo in squares
  // of checker_m metres in world xy; 0 = plain.
  Eigen::Vector3f checker_albedo{0.7f, 0.7f, 0.7f};
  double checker_m = 0.0;
};

// A solid in the world. Box: half extents (x, y, z) in its frame; Cylinder: axis = local z,
// half_extents = (r, r, half height); Sphere: radius half_extents.x(); Room: an axis-aligned box
// seen from inside (the enclosure; rays that hit nothing else end on it).
struct Primitive {
  PrimitiveKind kind = PrimitiveKind::Box;
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();  // local → world
  Eigen::Vector3d half_extents = Eigen::Vector3d::Constant(0.5);
  Material material;
  uint16_t surface = 0;  // label written to the surface image where this primitive is visible
  bool casts_shadow = true;
};

struct RenderScene {
  std::vector<Primitive> primitives;
  Eigen::Vector3d to_light = Eigen::Vector3d(-0.35, -0.45, 1.0).normalized();  // unit, towards the light
  float ambient = 0.38f, diffuse = 0.62f;
};

struct RenderOptions {
  int threads = 0;  // row-parallel workers; 0 = std::thread::hardware_concurrency()
  bool shadows = true;
  // Screen-tile lists and bounding-sphere early-outs; off tests every primitive for every ray
  // (the benchmark baseline). Both give identical images.
  bool culling = true;
};

// Renders one view. Pixel (u, v) casts the ray through its centre (u + 0.5, v + 0.5).
// Outputs (H·W·3 RGB bytes, H·W depth floats, optional H·W labels) are written row-major.
// Depth is metric z-depth along the optical axis (not the ray length), in metres; the room encloses
// the scene, so every pixel has depth > 0. `surface` may be null. Thread-safe for distinct outputs.
void render_view(const RenderScene& scene, const PinholeIntrinsics& K, int width, int height,
                 const Eigen::Isometry3d& T_world_cam, const RenderOptions& options, uint8_t* rgb, float* depth,
                 uint16_t* surface);

}  // namespace xwam::data::synthetic
