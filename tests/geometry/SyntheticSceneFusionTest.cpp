// Must-show on a generated synthetic episode (engine/data/synthetic): recorded depth fuses onto the table
// plane, the views agree, and the wrist camera places an object where the main camera does.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/data/synthetic/Scene.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/data/synthetic/TabletopSim.h"
#include "engine/geometry/CloudMetrics.h"
#include "engine/geometry/DepthFusion.h"

using namespace xwam;
namespace syn = xwam::data::synthetic;

namespace {
struct Generated {
  data::Episode episode;
  std::vector<syn::ViewImage> labels;  // frame-0 re-render with surface labels, one per camera
};

const Generated& generated() {
  static const Generated g = [] {
    syn::GeneratorOptions options;
    options.width = 160, options.height = 120, options.frames = 16;
    Generated out{syn::generate_episode(options, 11), {}};
    out.labels = syn::TabletopSim(syn::episode_spec(options, 11)).observe();
    return out;
  }();
  return g;
}

// Fusion of frame 0 with stride 1 and no filters: point order is view by view, pixel by pixel.
geometry::CloudFrame fuse_frame0(const data::Episode& ep, const geometry::FusionOptions& options = {}) {
  std::vector<geometry::DepthView> views;
  const auto cams = geometry::recorded_cameras(ep, 0);
  for (size_t c = 0; c < cams.size(); ++c)
    views.push_back({cams[c], ep.depth_frame(static_cast<int>(c), 0), ep.rgb_frame(static_cast<int>(c), 0)});
  return geometry::fuse_views(views, options);
}

// Points whose pixel carries `label` in view `view` (valid because every synthetic pixel has depth).
geometry::CloudFrame labelled(const geometry::CloudFrame& cloud, const Generated& g, int view, uint16_t label) {
  std::vector<size_t> keep;
  size_t first = 0;
  while (first < cloud.size() && cloud.view[first] != view) ++first;
  const auto& surface = g.labels[view].surface;
  for (size_t p = 0; p < surface.size(); ++p)
    if (surface[p] == label) keep.push_back(first + p);
  return cloud.select(keep);
}
}  // namespace

TEST(SyntheticSceneFusion, TablePointsLieOnTheTablePlane) {
  const Generated& g = generated();
  const data::Episode& ep = g.episode;
  ASSERT_EQ(g.labels.size(), ep.cameras.size());
  for (size_t c = 0; c < ep.cameras.size(); ++c)  // the re-render is the recording
    ASSERT_TRUE(std::equal(g.labels[c].depth.begin(), g.labels[c].depth.end(), ep.depth_frame(static_cast<int>(c), 0)));

  const geometry::CloudFrame cloud = fuse_frame0(ep);
  ASSERT_EQ(cloud.size(), ep.cameras.size() * 160 * 120);
  for (size_t c = 0; c < ep.cameras.size(); ++c) {
    // The table label also covers the top's side faces and the legs (≤ 7.5 cm from the edges): keep
    // the points over the top shrunk by 10 cm, which only the top face can produce.
    const auto table = labelled(cloud, g, static_cast<int>(c), syn::kSurfaceTable);
    size_t on_top = 0;
    float worst = 0;
    for (size_t i = 0; i < table.size(); ++i) {
      if (!syn::TableGeometry::contains_xy(table.xyz[3 * i], table.xyz[3 * i + 1], 0.1)) continue;
      worst = std::max(worst, std::abs(table.xyz[3 * i + 2]));
      ++on_top;
    }
    EXPECT_GT(on_top, 500u) << ep.cameras[c].name;
    EXPECT_LT(worst, 1e-4f) << ep.cameras[c].name;
  }
}

TEST(SyntheticSceneFusion, ViewsAgreeWhereTheyOverlap) {
  const Generated& g = generated();
  geometry::FusionOptions options;
  options.confidence = true;
  const geometry::CloudFrame cloud = fuse_frame0(g.episode, options);
  for (int c = 0; c < 2; ++c) {  // the fixed cameras see most of the table from two sides
    std::vector<size_t> table;
    size_t first = 0;
    while (cloud.view[first] != c) ++first;
    for (size_t p = 0; p < g.labels[c].surface.size(); ++p)
      if (g.labels[c].surface[p] == syn::kSurfaceTable) table.push_back(first + p);
    size_t agree = 0;
    for (size_t i : table) agree += cloud.confidence[i] == 1.0f;
    EXPECT_GT(static_cast<double>(agree) / table.size(), 0.95) << g.episode.cameras[c].name;
  }
}

TEST(SyntheticSceneFusion, WristAndMainCameraPlaceTheObjectInTheSamePlace) {
  const Generated& g = generated();
  const geometry::CloudFrame cloud = fuse_frame0(g.episode);
  const int main = g.episode.camera_index("main"), wrist = g.episode.camera_index("wrist0");
  ASSERT_GE(main, 0);
  ASSERT_GE(wrist, 0);
  int compared = 0;
  for (uint16_t object = 0; object < 8; ++object) {
    const auto in_main = labelled(cloud, g, main, syn::kSurfaceObject0 + object);
    const auto in_wrist = labelled(cloud, g, wrist, syn::kSurfaceObject0 + object);
    if (in_main.size() < 30 || in_wrist.size() < 30) continue;
    // Surfaces seen by both: the wrist's points closest to the main cloud sit on it within a pixel footprint.
    auto d = geometry::nearest_distances(in_wrist, in_main);
    std::sort(d.begin(), d.end());
    EXPECT_LT(d[d.size() / 4], 0.005f) << "object " << object;
    EXPECT_LT(d[d.size() / 2], 0.01f) << "object " << object;
    ++compared;
  }
  EXPECT_GT(compared, 0) << "no object seen by both cameras";
}
