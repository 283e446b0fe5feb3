// `xwam export --format xwam` end to end: generated episodes exported, imported back with `xwam import
// --format xwam` and listed with `xwam inspect`, equal to the originals (actions and states exactly as
// the format promises, RGB and depth within their codecs' loss).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/data/EpisodeFile.h"
#include "tests/cli/CliRunner.h"
#include "tests/cli/DemoCheckpoint.h"

using namespace xwam;
using namespace xwam::testing;
namespace fs = std::filesystem;

namespace {

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * double(a[i] - b[i]);
  return 10 * std::log10(255.0 * 255.0 / (se / a.size() + 1e-12));
}

}  // namespace

TEST(ExportEndToEnd, ExportedDatasetImportsBackEqual) {
  const fs::path dir = test_dir();
  const std::string original = (dir / "original.h5").string(), root = (dir / "dataset").string(),
                    back = (dir / "back.h5").string();
  ASSERT_EQ(run_xwam("generate --episodes 3 --seed 21 --width 64 --height 48 --frames 20 --out " + original).exit_code, 0);

  // Episodes 0 and 2 only: the selection is honoured.
  const auto exported = run_xwam("export --format xwam --scene " + original + ":0,2 --out " + root);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("exported 2 episodes"), std::string::npos) << exported.out;
  for (const char* file : {"metadata.json", "statistics.yaml", "CAMERAS.json", "data/chunk-0000/episode_0000000.json",
                           "data/chunk-0000/episode_0000001.json"})
    EXPECT_TRUE(fs::exists(fs::path(root) / file)) << file;
  EXPECT_FALSE(fs::exists(fs::path(root) / "data/chunk-0000/episode_0000002.json"));

  const auto imported = run_xwam("import --format xwam --in " + root + " --cameras " + root + "/CAMERAS.json --stats " +
                                 root + "/statistics.yaml --out " + back);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // inspect sees the same episodes, frames, instructions and cameras as in the original.
  const auto inspect_original = run_xwam("inspect " + original + " --json");
  const auto inspect_back = run_xwam("inspect " + back + " --json");
  ASSERT_EQ(inspect_back.exit_code, 0) << inspect_back.err;
  const nlohmann::json a = nlohmann::json::parse(inspect_original.out), b = nlohmann::json::parse(inspect_back.out);
  ASSERT_EQ(b.at("num_episodes"), 2);
  EXPECT_EQ(b.at("total_frames"), a["episodes"][0]["frames"].get<int>() + a["episodes"][2]["frames"].get<int>());
  const int picked[] = {0, 2};
  for (int i = 0; i < 2; ++i) {
    const nlohmann::json& want = a["episodes"][picked[i]];
    const nlohmann::json& got = b["episodes"][i];
    EXPECT_EQ(got.at("frames"), want.at("frames"));
    EXPECT_EQ(got.at("instruction"), want.at("instruction"));
    EXPECT_EQ(got.at("modalities"), want.at("modalities"));
    std::set<std::string> want_cams, got_cams;
    for (const auto& c : want.at("cameras")) want_cams.insert(c.at("name"));
    for (const auto& c : got.at("cameras")) got_cams.insert(c.at("name"));
    EXPECT_EQ(got_cams, want_cams);
  }

  // Every array, episode by episode.
  data::EpisodeFileReader want_file(original), got_file(back);
  for (int i = 0; i < 2; ++i) {
    const data::Episode want = want_file.read(picked[i]), got = got_file.read(i);
    ASSERT_EQ(got.num_frames, want.num_frames);
    EXPECT_EQ(got.state_mask, want.state_mask);
    EXPECT_EQ(got.action_mask, want.action_mask);
    for (size_t k = 0; k < want.states.size(); ++k) ASSERT_NEAR(got.states[k], want.states[k], 1e-6) << "state " << k;
    for (size_t k = 0; k < want.actions.size(); ++k) ASSERT_NEAR(got.actions[k], want.actions[k], 1e-6) << "action " << k;
    for (size_t c = 0; c < want.cameras.size(); ++c) {
      const int gc = got.camera_index(want.cameras[c].name);
      ASSERT_GE(gc, 0) << want.cameras[c].name;
      EXPECT_EQ(got.cameras[gc].width, want.cameras[c].width);
      EXPECT_EQ(got.cameras[gc].height, want.cameras[c].height);
      ASSERT_TRUE(got.cameras[gc].intrinsics && want.cameras[c].intrinsics) << want.cameras[c].name;
      EXPECT_NEAR(got.cameras[gc].intrinsics->fx, want.cameras[c].intrinsics->fx, 1e-9);
      EXPECT_NEAR(got.cameras[gc].intrinsics->cy, want.cameras[c].intrinsics->cy, 1e-9);
      EXPECT_GT(psnr(got.rgb[gc], want.rgb[c]), 30.0) << want.cameras[c].name;
      // Depth: 8-bit over the dataset's range; nearly every pixel within a few centimetres.
      size_t close = 0;
      for (size_t p = 0; p < want.depth[c].size(); ++p) close += std::abs(got.depth[gc][p] - want.depth[c][p]) < 0.05f;
      EXPECT_GT(double(close) / want.depth[c].size(), 0.98) << want.cameras[c].name;
    }
  }
  fs::remove_all(dir);
}
