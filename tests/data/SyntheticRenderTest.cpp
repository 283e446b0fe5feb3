// Ray caster of the synthetic scenes: exact depth against the analytic table plane, culling and
// threading that do not change a pixel, wrist camera poses that follow T_ee · T_h2e.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/data/synthetic/SceneGenerator.h"

namespace xwam::data::synthetic {
namespace {

GeneratorOptions small_options(int width, int height) {
  GeneratorOptions o;
  o.width = width;
  o.height = height;
  o.frames = 40;
  return o;
}

// For every pixel whose ray meets the plane z = 0 inside the table top, a pixel labelled "table"
// must have exactly that depth, and nothing may be seen below the table top.
void expect_table_plane_depth(const TabletopSim& sim, int camera, const ViewImage& view, double min_share) {
  const CameraInfo& cam = sim.spec().cameras[camera];
  const PinholeIntrinsics& K = *cam.intrinsics;
  const Eigen::Isometry3d T = sim.camera_pose(camera);
  int table_pixels = 0;
  double worst = 0;
  for (int v = 0; v < cam.height; ++v) {
    for (int u = 0; u < cam.width; ++u) {
      const size_t i = static_cast<size_t>(v) * cam.width + u;
      const Eigen::Vector3d d = T.rotation() * Eigen::Vector3d((u - K.cx) / K.fx, (v - K.cy) / K.fy, 1.0);
      const Eigen::Vector3d o = T.translation();
      ASSERT_GT(view.depth[i], 0.0f) << "pixel without depth at " << u << "," << v;
      if (d.z() >= 0) continue;
      const double plane_depth = (TableGeometry::kTopZ - o.z()) / d.z();  // z-depth, since d_cam.z = 1
      const Eigen::Vector3d hit = o + plane_depth * d;
      if (!TableGeometry::contains_xy(hit.x(), hit.y())) continue;
      EXPECT_LE(view.depth[i], plane_depth + 1e-4) << "something visible below the table top at " << u << "," << v;
      if (view.surface[i] != kSurfaceTable) continue;
      ++table_pixels;
      worst = std::max(worst, std::abs(view.depth[i] - plane_depth));
      // Unprojecting the stored depth lands on the plane.
      const Eigen::Vector3d p =
          T * (view.depth[i] * Eigen::Vector3d((u - K.cx) / K.fx, (v - K.cy) / K.fy, 1.0));
      EXPECT_NEAR(p.z(), TableGeometry::kTopZ, 1e-4);
    }
  }
  EXPECT_LT(worst, 1e-4);
  EXPECT_GT(table_pixels, min_share * cam.width * cam.height) << "camera " << cam.name;
}

TEST(SyntheticRender, TableDepthMatchesAnalyticPlane) {
  TabletopSim sim(sample_scene(small_options(160, 120), 11));
  const auto views = sim.observe();
  ASSERT_EQ(views.size(), 3u);
  expect_table_plane_depth(sim, 0, views[0], 0.3);  // main
  expect_table_plane_depth(sim, 1, views[1], 0.2);  // side
  expect_table_plane_depth(sim, 2, views[2], 0.1);  // wrist, looking down at the table
}

TEST(SyntheticRender, CullingAndThreadsDoNotChangeTheImage) {
  const SceneSpec spec = sample_scene(small_options(96, 72), 3);
  RenderOptions brute;
  brute.culling = false;
  brute.threads = 1;
  RenderOptions fast;
  fast.threads = 2;
  const auto a = TabletopSim(spec, brute).observe();
  const auto b = TabletopSim(spec, fast).observe();
  for (size_t c = 0; c < a.size(); ++c) {
    EXPECT_EQ(a[c].rgb, b[c].rgb) << "camera " << c;
    EXPECT_EQ(a[c].depth, b[c].depth) << "camera " << c;
    EXPECT_EQ(a[c].surface, b[c].surface) << "camera " << c;
  }
}

TEST(SyntheticRender, ObjectsAreVisibleInTheMainCamera) {
  TabletopSim sim(sample_scene(small_options(128, 96), 5));
  const auto views = sim.observe();
  for (size_t o = 0; o < sim.objects().size(); ++o) {
    int seen = 0;
    for (uint16_t label : views[0].surface) seen += label == kSurfaceObject0 + o;
    EXPECT_GT(seen, 10) << sim.objects()[o].description();
  }
}

TEST(SyntheticRender, WristCameraFollowsTheEndEffector) {
  GeneratorOptions options = small_options(64, 48);
  options.arms = 2;
  TabletopSim sim(sample_scene(options, 9));
  ASSERT_EQ(sim.spec().cameras.size(), 4u);
  for (int c = 2; c < 4; ++c) {
    const CameraInfo& cam = sim.spec().cameras[c];
    EXPECT_EQ(cam.mount, CameraMount::Wrist);
    EXPECT_EQ(cam.arm, c - 2);
    EXPECT_TRUE(cam.calibrated());
    EXPECT_TRUE(cam.has_depth);
    const Eigen::Matrix4d expected = sim.arm(cam.arm).pose.matrix() * *cam.T_ee_cam;
    EXPECT_TRUE(sim.camera_pose(c).matrix().isApprox(expected, 1e-12));
  }
  // The wrist camera sees its own fingers; render() draws what observe() returns.
  const auto views = sim.observe();
  std::vector<uint8_t> rgb(64 * 48 * 3);
  std::vector<float> depth(64 * 48);
  sim.render(2, rgb.data(), depth.data(), nullptr);
  EXPECT_EQ(rgb, views[2].rgb);
  EXPECT_EQ(depth, views[2].depth);
  int gripper = 0;
  for (uint16_t label : views[2].surface) gripper += label == kSurfaceGripper0;
  EXPECT_GT(gripper, 0);
}

// Depth of one view, unprojected with the episode's own calibration (Episode::camera_pose) and
// projected into another view, lands on that view's depth: agreeing, or hidden behind something
// nearer — never behind the surface the other camera sees.
TEST(SyntheticRender, RecordedDepthAgreesAcrossViews) {
  GeneratorOptions o = small_options(96, 72);
  o.frames = 24;
  const Episode ep = generate_episode(o, 17);
  for (int t : {0, 12}) {
    for (int other : {1, 2}) {
      const CameraInfo& a = ep.cameras[0];
      const CameraInfo& b = ep.cameras[other];
      const Eigen::Matrix4d T_world_a = ep.camera_pose(0, t);
      const Eigen::Matrix4d T_b_world = ep.camera_pose(other, t).inverse();
      const float* depth_a = ep.depth_frame(0, t);
      const float* depth_b = ep.depth_frame(other, t);
      int inside = 0, agree = 0, seen_through = 0;
      for (int v = 0; v < a.height; ++v) {
        for (int u = 0; u < a.width; ++u) {
          const double z = depth_a[v * a.width + u];
          const Eigen::Vector4d p_a((u - a.intrinsics->cx) / a.intrinsics->fx * z,
                                    (v - a.intrinsics->cy) / a.intrinsics->fy * z, z, 1.0);
          const Eigen::Vector4d p_b = T_b_world * T_world_a * p_a;
          if (p_b.z() <= 0.01) continue;
          const int ub = static_cast<int>(std::floor(b.intrinsics->fx * p_b.x() / p_b.z() + b.intrinsics->cx + 0.5));
          const int vb = static_cast<int>(std::floor(b.intrinsics->fy * p_b.y() / p_b.z() + b.intrinsics->cy + 0.5));
          if (ub < 0 || vb < 0 || ub >= b.width || vb >= b.height) continue;
          ++inside;
          const double seen = depth_b[vb * b.width + ub];
          const double tolerance = 0.02 * p_b.z();  // one pixel's footprint on slanted surfaces
          agree += std::abs(seen - p_b.z()) < tolerance;
          seen_through += seen > p_b.z() + tolerance;
        }
      }
      ASSERT_GT(inside, 500) << "view " << b.name;
      EXPECT_GT(agree, 0.5 * inside) << "view " << b.name << " frame " << t;
      EXPECT_LT(seen_through, 0.03 * inside) << "view " << b.name << " frame " << t;
    }
  }
}

}  // namespace
}  // namespace xwam::data::synthetic
