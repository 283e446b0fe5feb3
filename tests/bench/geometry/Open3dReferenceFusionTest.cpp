// The fusion benchmark's baselines do the same work as ours: Open3D's legacy and tensor paths give our
// points, in our order, with our colours, on the analytic tabletop; views without RGB are refused.
#include "bench/geometry/Open3dReferenceFusion.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/Error.h"
#include "engine/geometry/DepthFusion.h"
#include "engine/geometry/CameraModel.h"
#include "tests/geometry/TestScene.h"

using namespace xwam;

namespace {
std::vector<geometry::DepthView> views_at(const data::Episode& ep, int t) {
  std::vector<geometry::DepthView> views;
  const auto cams = geometry::recorded_cameras(ep, t);
  for (size_t c = 0; c < cams.size(); ++c)
    views.push_back({cams[c], ep.depth_frame(static_cast<int>(c), t), ep.rgb_frame(static_cast<int>(c), t)});
  return views;
}

void expect_same_cloud(const geometry::CloudFrame& ours, const bench::ReferenceCloud& ref) {
  ASSERT_EQ(ref.xyz.size(), ours.xyz.size());
  ASSERT_EQ(ref.rgb.size(), ours.rgb.size());
  double worst = 0, worst_rgb = 0;
  for (size_t k = 0; k < ours.xyz.size(); ++k) {
    worst = std::max(worst, std::abs(ours.xyz[k] - ref.xyz[k]));
    worst_rgb = std::max(worst_rgb, std::abs(ours.rgb[k] / 255.0 - ref.rgb[k]));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_LT(worst_rgb, 1e-6);
  EXPECT_GT(ref.open3d_ms, 0);
}
}  // namespace

TEST(Open3dReferenceFusion, LegacyPathWithExtrinsicMatchesOurs) {
  const data::Episode ep = test::make_tabletop(2);
  for (int t = 0; t < 2; ++t) {
    const auto views = views_at(ep, t);
    expect_same_cloud(geometry::fuse_views(views), bench::fuse_views_open3d_legacy(views, 1e6f));
  }
}

TEST(Open3dReferenceFusion, TensorPathMatchesOursInOurOrder) {
  const data::Episode ep = test::make_tabletop(2);
  for (int t = 0; t < 2; ++t) {
    const auto views = views_at(ep, t);
    expect_same_cloud(geometry::fuse_views(views), bench::fuse_views_open3d_tensor(views, 1e6f));
    // One view alone (no concatenation) too.
    expect_same_cloud(geometry::fuse_views({views[0]}), bench::fuse_views_open3d_tensor({views[0]}, 1e6f));
  }
}

TEST(Open3dReferenceFusion, MaxDepthDropsFarPixelsLikeOurs) {
  const data::Episode ep = test::make_tabletop(1);
  const auto views = views_at(ep, 0);
  geometry::FusionOptions near;
  near.max_depth_m = 1.0f;
  const geometry::CloudFrame ours = geometry::fuse_views(views, near), all = geometry::fuse_views(views);
  ASSERT_LT(ours.size(), all.size());  // the cut must drop something for this test to mean anything
  expect_same_cloud(ours, bench::fuse_views_open3d_legacy(views, near.max_depth_m));
  expect_same_cloud(ours, bench::fuse_views_open3d_tensor(views, near.max_depth_m));
}

TEST(Open3dReferenceFusion, ViewsWithoutRgbAreRefusedNamingTheCamera) {
  const data::Episode ep = test::make_tabletop(1);
  auto views = views_at(ep, 0);
  views[1].rgb = nullptr;
  for (auto* fuse : {&bench::fuse_views_open3d_legacy, &bench::fuse_views_open3d_tensor}) {
    try {
      fuse(views, 1e6f);
      FAIL() << "expected a refusal";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("camera " + views[1].camera.name), std::string::npos) << e.what();
    }
  }
}
