#include "engine/data/synthetic/RayCaster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace xwam::data::synthetic {

namespace {

using Vec3 = Eigen::Vector3d;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kTile = 16;

// A primitive with its world→local transform and bounding sphere precomputed.
struct Prepared {
  const Primitive* primitive;
  Eigen::Matrix3d local_from_world;
  Vec3 origin;  // primitive centre in the world
  double radius;
};

Prepared prepare(const Primitive& p) {
  Prepared out{&p, p.pose.rotation().transpose(), p.pose.translation(), 0.0};
  const Vec3& h = p.half_extents;
  switch (p.kind) {
    case PrimitiveKind::Box:
      out.radius = h.norm();
      break;
    case PrimitiveKind::Cylinder:
      out.radius = std::hypot(h.x(), h.z());
      break;
    case PrimitiveKind::Sphere:
      out.radius = h.x();
      break;
    case PrimitiveKind::Room:
      out.radius = kInf;
      break;
  }
  return out;
}

// Nearest hit of ray o + t·d (d need not be unit) with t in (t_min, t_max); normal in local axes.
bool intersect(const Prepared& q, const Vec3& o_world, const Vec3& d_world, double t_min, double t_max, double& t_hit,
               Vec3& normal_local) {
  const Primitive& p = *q.primitive;
  const Vec3 o = q.local_from_world * (o_world - q.origin);
  const Vec3 d = q.local_from_world * d_world;
  const Vec3& h = p.half_extents;
  switch (p.kind) {
    case PrimitiveKind::Box: {
      double t_near = -kInf, t_far = kInf;
      int axis = -1;
      for (int i = 0; i < 3; ++i) {
        if (d[i] == 0.0) {
          if (std::abs(o[i]) > h[i]) return false;
          continue;
        }
        double t1 = (-h[i] - o[i]) / d[i], t2 = (h[i] - o[i]) / d[i];
        if (t1 > t2) std::swap(t1, t2);
        if (t1 > t_near) {
          t_near = t1;
          axis = i;
        }
        t_far = std::min(t_far, t2);
      }
      if (axis < 0 || t_near > t_far || t_near <= t_min || t_near >= t_max) return false;
      t_hit = t_near;
      normal_local = Vec3::Zero();
      normal_local[axis] = d[axis] > 0 ? -1.0 : 1.0;
      return true;
    }
    case PrimitiveKind::Cylinder: {
      bool hit = false;
      const double r = h.x(), half = h.z();
      // Side wall: (ox + t dx)² + (oy + t dy)² = r².
      const double a = d.x() * d.x() + d.y() * d.y();
      if (a > 0) {
        const double b = o.x() * d.x() + o.y() * d.y();
        const double c = o.x() * o.x() + o.y() * o.y() - r * r;
        const double disc = b * b - a * c;
        if (disc >= 0) {
          const double t = (-b - std::sqrt(disc)) / a;
          if (t > t_min && t < t_max && std::abs(o.z() + t * d.z()) <= half) {
            t_hit = t_max = t;
            normal_local = Vec3(o.x() + t * d.x(), o.y() + t * d.y(), 0.0) / r;
            hit = true;
          }
        }
      }
      // Caps at z = ±half.
      if (d.z() != 0.0) {
        for (double side : {-1.0, 1.0}) {
          const double t = (side * half - o.z()) / d.z();
          if (t <= t_min || t >= t_max || side * d.z() > 0) continue;
          const double x = o.x() + t * d.x(), y = o.y() + t * d.y();
          if (x * x + y * y > r * r) continue;
          t_hit = t_max = t;
          normal_local = Vec3(0, 0, side);
          hit = true;
        }
      }
      return hit;
    }
    case PrimitiveKind::Sphere: {
      const double r = h.x();
      const double a = d.squaredNorm(), b = o.dot(d), c = o.squaredNorm() - r * r;
      const double disc = b * b - a * c;
      if (disc < 0) return false;
      const double t = (-b - std::sqrt(disc)) / a;
      if (t <= t_min || t >= t_max) return false;
      t_hit = t;
      normal_local = (o + t * d) / r;
      return true;
    }
    case PrimitiveKind::Room: {
      // Seen from inside: the ray leaves through the nearest wall.
      double t_exit = kInf;
      int axis = -1;
      for (int i = 0; i < 3; ++i) {
        if (d[i] == 0.0) continue;
        const double t = ((d[i] > 0 ? h[i] : -h[i]) - o[i]) / d[i];
        if (t < t_exit) {
          t_exit = t;
          axis = i;
        }
      }
      if (axis < 0 || t_exit <= t_min || t_exit >= t_max) return false;
      t_hit = t_exit;
      normal_local = Vec3::Zero();
      normal_local[axis] = d[axis] > 0 ? -1.0 : 1.0;
      return true;
    }
  }
  return false;
}

// Cheap conservative test: can the ray meet the bounding sphere within (t_min, t_max)?
bool may_hit(const Prepared& q, const Vec3& o, const Vec3& d, double inv_len, double t_min, double t_max) {
  if (!std::isfinite(q.radius)) return true;
  const Vec3 oc = q.origin - o;
  const double along = oc.dot(d) * inv_len;  // distance along the unit direction
  const double dist2 = oc.squaredNorm() - along * along;
  if (dist2 > q.radius * q.radius) return false;
  return (along + q.radius) * inv_len > t_min && (along - q.radius) * inv_len < t_max;
}

struct ViewSetup {
  const RenderScene* scene;
  const RenderOptions* options;
  std::vector<Prepared> prepared;
  std::vector<int> shadow_casters;
  int room = -1;
  int tiles_x = 0;
  std::vector<std::vector<int>> tile_lists;  // per screen tile: candidate primitives, nearest first
};

// Projects each primitive's bounding sphere to a conservative pixel rectangle and files it into tiles.
void build_tiles(ViewSetup& v, const PinholeIntrinsics& K, int width, int height,
                 const Eigen::Isometry3d& T_world_cam) {
  v.tiles_x = (width + kTile - 1) / kTile;
  const int tiles_y = (height + kTile - 1) / kTile;
  v.tile_lists.assign(static_cast<size_t>(v.tiles_x) * tiles_y, {});
  const Eigen::Isometry3d T_cam_world = T_world_cam.inverse();
  std::vector<std::pair<double, int>> order;
  for (size_t i = 0; i < v.prepared.size(); ++i) {
    if (static_cast<int>(i) == v.room) continue;
    const Vec3 c = T_cam_world * v.prepared[i].origin;
    order.emplace_back(c.z() - v.prepared[i].radius, static_cast<int>(i));
  }
  std::sort(order.begin(), order.end());
  for (const auto& [near_z, i] : order) {
    const Prepared& q = v.prepared[i];
    const Vec3 c = T_cam_world * q.origin;
    const double R = q.radius;
    if (c.z() + R <= 0) continue;  // wholly behind the camera
    int u0 = 0, u1 = width - 1, v0 = 0, v1 = height - 1;
    if (c.z() - R > 1e-6) {
      // x/z over the box [x±R]×[z±R] is extremal at its corners.
      auto range = [&](double x, double f, double cen, int size, int& lo, int& hi) {
        const double a = (x - R) / (c.z() - R), b = (x - R) / (c.z() + R);
        const double e = (x + R) / (c.z() - R), g = (x + R) / (c.z() + R);
        const double mn = std::min(std::min(a, b), std::min(e, g)), mx = std::max(std::max(a, b), std::max(e, g));
        lo = std::max(0, static_cast<int>(std::floor(f * mn + cen)) - 1);
        hi = std::min(size - 1, static_cast<int>(std::ceil(f * mx + cen)) + 1);
      };
      range(c.x(), K.fx, K.cx, width, u0, u1);
      range(c.y(), K.fy, K.cy, height, v0, v1);
      if (u0 > u1 || v0 > v1) continue;
    }
    for (int ty = v0 / kTile; ty <= v1 / kTile; ++ty)
      for (int tx = u0 / kTile; tx <= u1 / kTile; ++tx)
        v.tile_lists[static_cast<size_t>(ty) * v.tiles_x + tx].push_back(i);
  }
}

struct Hit {
  double t = kInf;
  int index = -1;
  Vec3 normal_local;
};

Hit trace(const ViewSetup& v, const std::vector<int>* candidates, const Vec3& o, const Vec3& d) {
  Hit best;
  double t;
  Vec3 n;
  if (candidates) {
    const double inv_len = 1.0 / d.norm();
    for (int i : *candidates) {
      if (!may_hit(v.prepared[i], o, d, inv_len, 0.0, best.t)) continue;
      if (intersect(v.prepared[i], o, d, 0.0, best.t, t, n)) best = {t, i, n};
    }
    // Everything lies inside the room, so the room only matters where nothing else was hit.
    if (best.index < 0 && v.room >= 0 && intersect(v.prepared[v.room], o, d, 0.0, kInf, t, n)) best = {t, v.room, n};
    return best;
  }
  for (size_t i = 0; i < v.prepared.size(); ++i)
    if (intersect(v.prepared[i], o, d, 0.0, best.t, t, n)) best = {t, static_cast<int>(i), n};
  return best;
}

bool in_shadow(const ViewSetup& v, const Vec3& p, const Vec3& to_light) {
  double t;
  Vec3 n;
  for (int i : v.shadow_casters) {
    if (v.options->culling && !may_hit(v.prepared[i], p, to_light, 1.0, 0.0, kInf)) continue;
    if (intersect(v.prepared[i], p, to_light, 1e-7, kInf, t, n)) return true;
  }
  return false;
}

void render_rows(const ViewSetup& v, const PinholeIntrinsics& K, int width, int row_begin, int row_end,
                 const Eigen::Isometry3d& T_world_cam, uint8_t* rgb, float* depth, uint16_t* surface) {
  const Eigen::Matrix3d R = T_world_cam.rotation();
  const Vec3 o = T_world_cam.translation();
  const RenderScene& scene = *v.scene;
  for (int row = row_begin; row < row_end; ++row) {
    for (int col = 0; col < width; ++col) {
      // Camera-frame direction with unit z: the hit parameter t is the z-depth itself.
      const Vec3 d = R * Vec3((col - K.cx) / K.fx, (row - K.cy) / K.fy, 1.0);
      const std::vector<int>* candidates =
          v.options->culling ? &v.tile_lists[static_cast<size_t>(row / kTile) * v.tiles_x + col / kTile] : nullptr;
      const Hit hit = trace(v, candidates, o, d);
      const size_t pixel = static_cast<size_t>(row) * width + col;
      if (hit.index < 0) {
        depth[pixel] = 0.0f;
        rgb[3 * pixel] = rgb[3 * pixel + 1] = rgb[3 * pixel + 2] = 0;
        if (surface) surface[pixel] = 0;
        continue;
      }
      const Prepared& q = v.prepared[hit.index];
      const Material& m = q.primitive->material;
      const Vec3 p = o + hit.t * d;
      const Vec3 n = q.primitive->pose.rotation() * hit.normal_local;
      // Albedo, with the checker on upward-facing surfaces.
      Eigen::Vector3f albedo = m.albedo;
      if (m.checker_m > 0 && n.z() > 0.9) {
        const long cell =
            static_cast<long>(std::floor(p.x() / m.checker_m)) + static_cast<long>(std::floor(p.y() / m.checker_m));
        if (cell & 1) albedo = m.checker_albedo;
      }
      // Lambert with a hard shadow from the directional light, plus ambient.
      double lambert = std::max(0.0, n.dot(scene.to_light));
      if (lambert > 0 && v.options->shadows && in_shadow(v, p + 1e-5 * n, scene.to_light)) lambert = 0;
      const float shade = scene.ambient + scene.diffuse * static_cast<float>(lambert);
      for (int c = 0; c < 3; ++c)
        rgb[3 * pixel + c] = static_cast<uint8_t>(std::clamp(albedo[c] * shade, 0.0f, 1.0f) * 255.0f + 0.5f);
      depth[pixel] = static_cast<float>(hit.t);
      if (surface) surface[pixel] = q.primitive->surface;
    }
  }
}

}  // namespace

void render_view(const RenderScene& scene, const PinholeIntrinsics& K, int width, int height,
                 const Eigen::Isometry3d& T_world_cam, const RenderOptions& options, uint8_t* rgb, float* depth,
                 uint16_t* surface) {
  ViewSetup v;
  v.scene = &scene;
  v.options = &options;
  for (size_t i = 0; i < scene.primitives.size(); ++i) {
    v.prepared.push_back(prepare(scene.primitives[i]));
    if (scene.primitives[i].kind == PrimitiveKind::Room) v.room = static_cast<int>(i);
    if (scene.primitives[i].casts_shadow) v.shadow_casters.push_back(static_cast<int>(i));
  }
  if (options.culling) build_tiles(v, K, width, height, T_world_cam);

  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, std::max(1, height / 8));
  if (threads == 1) {
    render_rows(v, K, width, 0, height, T_world_cam, rgb, depth, surface);
    return;
  }
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    const int begin = height * w / threads, end = height * (w + 1) / threads;
    workers.emplace_back(render_rows, std::cref(v), std::cref(K), width, begin, end, std::cref(T_world_cam), rgb, depth,
                         surface);
  }
  for (auto& t : workers) t.join();
}

}  // namespace xwam::data::synthetic
