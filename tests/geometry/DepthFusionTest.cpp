// Fusion: analytic scene lands on its surfaces, views agree, wrist and main see the same object in the same
// place, options behave, refusals name the camera (Open3D's paths give the same points: tests/bench).
#include "engine/geometry/DepthFusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "TestScene.h"
#include "engine/core/Error.h"
#include "engine/geometry/CloudFilters.h"
#include "engine/geometry/CloudMetrics.h"
#include "engine/geometry/SequenceFusion.h"

using namespace xwam;

namespace {
std::vector<geometry::DepthView> views_at(const data::Episode& ep, int t) {
  std::vector<geometry::DepthView> views;
  const auto cams = geometry::recorded_cameras(ep, t);
  for (size_t c = 0; c < cams.size(); ++c)
    views.push_back({cams[c], ep.depth_frame(static_cast<int>(c), t), ep.rgb_frame(static_cast<int>(c), t)});
  return views;
}

// Points of one view whose colour is the sphere's red.
geometry::CloudFrame red_points(const geometry::CloudFrame& cloud, int view) {
  std::vector<size_t> keep;
  for (size_t i = 0; i < cloud.size(); ++i)
    if (cloud.view[i] == view && cloud.rgb[3 * i] == 230 && cloud.rgb[3 * i + 1] == 30) keep.push_back(i);
  return cloud.select(keep);
}
}  // namespace

TEST(DepthFusion, EveryPointLiesOnTheAnalyticSurfaces) {
  const data::Episode ep = test::make_tabletop(3);
  for (int t = 0; t < 3; ++t) {
    const geometry::CloudFrame cloud = geometry::fuse_views(views_at(ep, t));
    ASSERT_GT(cloud.size(), 3000u);
    double worst = 0;
    size_t table_points = 0;
    for (size_t i = 0; i < cloud.size(); ++i) {
      worst = std::max(worst, test::surface_distance(cloud.point(i).cast<double>(), t));
      if (cloud.rgb[3 * i] != 230) {
        ++table_points;
        EXPECT_LT(std::abs(cloud.xyz[3 * i + 2]), 1e-4) << "table point off the plane z = 0";
      }
    }
    EXPECT_GT(table_points, 1000u);
    EXPECT_LT(worst, 1e-4) << "frame " << t;
    // Every view contributed.
    for (uint8_t v = 0; v < 3; ++v) EXPECT_NE(std::find(cloud.view.begin(), cloud.view.end(), v), cloud.view.end());
  }
}

TEST(DepthFusion, ViewsAgreeWhereTheyOverlap) {
  const data::Episode ep = test::make_tabletop(1);
  geometry::FusionOptions options;
  options.confidence = true;
  options.agreement_tolerance = 0.01f;
  const geometry::CloudFrame cloud = geometry::fuse_views(views_at(ep, 0), options);
  ASSERT_EQ(cloud.confidence.size(), cloud.size());
  // Pixel quantisation at sphere silhouettes can disagree; the bulk must agree fully.
  size_t full = 0;
  for (float c : cloud.confidence) full += c == 1.0f;
  EXPECT_GT(static_cast<double>(full) / cloud.size(), 0.97);

  // A view whose depth is 20% too near puts points in space the others see as free: they lose confidence.
  data::Episode bad = ep;
  for (float& d : bad.depth[1]) d *= 0.8f;
  const geometry::CloudFrame bad_cloud = geometry::fuse_views(views_at(bad, 0), options);
  auto low_share = [](const geometry::CloudFrame& c, size_t& low) {
    size_t of_view = 0;
    low = 0;
    for (size_t i = 0; i < c.size(); ++i)
      if (c.view[i] == 1) ++of_view, low += c.confidence[i] < 0.75f;
    return static_cast<double>(low) / of_view;
  };
  size_t low = 0;
  EXPECT_LT(low_share(cloud, low), 0.05);
  // Points that leave the other views' images or land off their table stay unchecked: not all drop.
  EXPECT_GT(low_share(bad_cloud, low), 0.3);

  // min_confidence drops those points.
  options.min_confidence = 0.75f;
  EXPECT_LT(geometry::fuse_views(views_at(bad, 0), options).size(), bad_cloud.size() - low / 2);
}

TEST(DepthFusion, WristAndMainCameraPlaceTheSameObjectInTheSameWorldPlace) {
  const data::Episode ep = test::make_tabletop(3);
  for (int t = 0; t < 3; ++t) {
    const geometry::CloudFrame cloud = geometry::fuse_views(views_at(ep, t));
    const geometry::CloudFrame main = red_points(cloud, 0), wrist = red_points(cloud, 2);
    ASSERT_GT(main.size(), 20u);
    ASSERT_GT(wrist.size(), 20u);
    // Both on the same sphere: every point within 1e-4 m of its surface at the true centre.
    for (const auto* part : {&main, &wrist})
      for (size_t i = 0; i < part->size(); ++i)
        EXPECT_NEAR((part->point(i).cast<double>() - test::sphere_centre(t)).norm(), test::kSphereRadius, 1e-4);
    // And the top cap that both see overlaps: wrist points have a main point within a pixel footprint.
    const auto d = geometry::nearest_distances(wrist, main);
    std::vector<float> sorted = d;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_LT(sorted[sorted.size() / 4], 0.01f) << "frame " << t;
  }
}

TEST(DepthFusion, StrideDepthRangeVoxelAndOutlierOptions) {
  const data::Episode ep = test::make_tabletop(1);
  const auto views = views_at(ep, 0);
  const size_t all = geometry::fuse_views(views).size();
  geometry::FusionOptions o;
  o.stride = 2;
  const size_t strided = geometry::fuse_views(views, o).size();
  EXPECT_LT(strided, all / 3);
  EXPECT_GT(strided, all / 5);

  o = {};
  o.max_depth_m = 0.9f;
  const geometry::CloudFrame near = geometry::fuse_views(views, o);
  EXPECT_LT(near.size(), all);
  for (size_t i = 0; i < near.size(); ++i) {
    const Eigen::Vector3d uvz = views[near.view[i]].camera.project(near.point(i).cast<double>());
    EXPECT_LE(uvz.z(), 0.9 + 1e-5);
  }

  o = {};
  o.voxel_size_m = 0.05;
  const geometry::CloudFrame voxels = geometry::fuse_views(views, o);
  EXPECT_LT(voxels.size(), all / 5);
  EXPECT_EQ(voxels.rgb.size(), 3 * voxels.size());
  EXPECT_EQ(voxels.view.size(), voxels.size());
  // Means of points in one voxel stay in it, so no two outputs share a voxel.
  std::set<std::tuple<int, int, int>> cells;
  for (size_t i = 0; i < voxels.size(); ++i)
    cells.emplace(static_cast<int>(std::floor(voxels.xyz[3 * i] / 0.05)), static_cast<int>(std::floor(voxels.xyz[3 * i + 1] / 0.05)),
                  static_cast<int>(std::floor(voxels.xyz[3 * i + 2] / 0.05)));
  EXPECT_EQ(cells.size(), voxels.size());

  o = {};
  o.outlier_neighbors = 10;
  const geometry::CloudFrame cleaned = geometry::fuse_views(views, o);
  EXPECT_LT(cleaned.size(), all);
  EXPECT_GT(cleaned.size(), all * 8 / 10);
}

TEST(DepthFusion, VoxelDownsampleAveragesPerVoxel) {
  geometry::CloudFrame c;
  c.xyz = {0.01f, 0.01f, 0.01f, 0.03f, 0.03f, 0.03f, 0.5f, 0.5f, 0.5f};
  c.rgb = {0, 0, 0, 100, 100, 100, 7, 8, 9};
  c.view = {2, 1, 0};
  c.error = {1.0f, 3.0f, 5.0f};
  const auto out = geometry::voxel_downsample(c, 0.1);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out.xyz[0], 0.02f);
  EXPECT_EQ(out.rgb[0], 50);
  EXPECT_EQ(out.view[0], 2);
  EXPECT_FLOAT_EQ(out.error[0], 2.0f);
  EXPECT_FLOAT_EQ(out.xyz[3], 0.5f);
  EXPECT_THROW(geometry::voxel_downsample(c, 0.0), Error);
}

TEST(DepthFusion, StatisticalOutlierRemovalDropsAFarPoint) {
  geometry::CloudFrame c;
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 20; ++j) {
      c.xyz.insert(c.xyz.end(), {0.01f * i, 0.01f * j, 0.0f});
      c.rgb.insert(c.rgb.end(), {1, 2, 3});
      c.view.push_back(0);
    }
  c.xyz.insert(c.xyz.end(), {3.0f, 3.0f, 3.0f});
  c.rgb.insert(c.rgb.end(), {9, 9, 9});
  c.view.push_back(1);
  const auto keep = geometry::statistical_inliers(c, 8, 2.0);
  EXPECT_EQ(std::find(keep.begin(), keep.end(), size_t{400}), keep.end());
  EXPECT_GE(keep.size(), 390u);
}

TEST(DepthFusion, MissingDepthIsRefusedNamingTheCamera) {
  data::Episode ep = test::make_tabletop(1);
  auto views = views_at(ep, 0);
  views[1].depth_m = nullptr;
  try {
    geometry::fuse_views(views);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera side"), std::string::npos) << e.what();
  }
  ep.depth[2].clear();
  ep.cameras[2].has_depth = false;
  try {
    geometry::fuse_recorded(ep, {0}, {});
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera wrist"), std::string::npos) << e.what();
  }
  // Choosing the cameras that do have depth works, even when a camera left out is uncalibrated.
  ep.cameras[2].T_ee_cam.reset();
  EXPECT_GT(geometry::fuse_recorded(ep, {0}, {}, {"main", "side"}).frames[0].size(), 0u);
  EXPECT_THROW(geometry::fuse_recorded(ep, {0}, {}, {"nope"}), Error);
}

TEST(DepthFusion, InverseDepthDecoding) {
  const float n[] = {1.0f, 0.0f, -0.2f, 0.5f, NAN, 2.0f};
  const auto d = geometry::depth_from_inverse(n, 6, {0.5f, 4.0f});
  EXPECT_FLOAT_EQ(d[0], 0.5f);
  EXPECT_EQ(d[1], 0.0f);
  EXPECT_EQ(d[2], 0.0f);
  EXPECT_FLOAT_EQ(d[3], 1.0f / (0.25f + 0.5f * (2.0f - 0.25f)));
  EXPECT_EQ(d[4], 0.0f);
  EXPECT_FLOAT_EQ(d[5], 0.5f);
  EXPECT_THROW(geometry::depth_from_inverse(n, 6, {2.0f, 1.0f}), Error);
}

#ifdef XWAM_GEOMETRY_CUDA
TEST(DepthFusion, CudaUnprojectionMatchesTheCpuPath) {
  if (!geometry::cuda_device_available()) GTEST_SKIP() << "no CUDA device";
  const data::Episode ep = test::make_tabletop(2);
  for (int stride : {1, 3}) {
    geometry::FusionOptions o;
    o.stride = stride;
    const auto views = views_at(ep, 1);
    const geometry::CloudFrame cpu = geometry::fuse_views(views, o);
    geometry::CloudFrame gpu;
    for (size_t v = 0; v < views.size(); ++v) geometry::unproject_view_cuda(views[v], static_cast<uint8_t>(v), o, gpu);
    ASSERT_EQ(gpu.size(), cpu.size());
    EXPECT_EQ(gpu.rgb, cpu.rgb);
    EXPECT_EQ(gpu.view, cpu.view);
    for (size_t k = 0; k < cpu.xyz.size(); ++k) EXPECT_NEAR(gpu.xyz[k], cpu.xyz[k], 1e-5);
  }
}
#endif
