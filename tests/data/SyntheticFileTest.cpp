// Synthetic episodes through the episode file: generate → write (with statistics) → read back equal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/data/EpisodeFile.h"
#include "engine/data/NormStats.h"
#include "engine/data/synthetic/SceneGenerator.h"

namespace fs = std::filesystem;

namespace xwam::data::synthetic {
namespace {

TEST(SyntheticFile, GeneratedEpisodesRoundTripThroughTheEpisodeFile) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_synthetic_file_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "scenes.h5").string();
  GeneratorOptions options;
  options.width = 32;
  options.height = 24;
  options.frames = 40;
  std::vector<Episode> episodes;
  generate_episodes(options, 2, 99, [&](Episode&& ep) { episodes.push_back(std::move(ep)); });
  {
    EpisodeFileWriter writer(path);
    for (const Episode& ep : episodes) writer.add(ep);
    writer.set_stats(NormStats::compute(episodes));
    writer.commit();
  }
  EpisodeFileReader reader(path);
  ASSERT_EQ(reader.num_episodes(), 2);
  ASSERT_TRUE(reader.stats().has_value());
  EXPECT_EQ(reader.stats()->num_samples, 80);
  for (int i = 0; i < 2; ++i) {
    const Episode& expected = episodes[i];
    const Episode got = reader.read(i);
    EXPECT_EQ(got.name, expected.name);
    EXPECT_EQ(got.instruction, expected.instruction);
    EXPECT_EQ(got.task, expected.task);
    EXPECT_EQ(got.success, expected.success);
    EXPECT_EQ(got.states, expected.states);
    EXPECT_EQ(got.actions, expected.actions);
    EXPECT_EQ(got.state_mask, expected.state_mask);
    EXPECT_EQ(got.rgb, expected.rgb);
    EXPECT_EQ(got.depth, expected.depth);
    ASSERT_EQ(got.cameras.size(), expected.cameras.size());
    for (size_t c = 0; c < got.cameras.size(); ++c) {
      EXPECT_EQ(got.cameras[c].name, expected.cameras[c].name);
      EXPECT_EQ(got.cameras[c].mount, expected.cameras[c].mount);
      EXPECT_TRUE(got.cameras[c].calibrated());
      EXPECT_TRUE(got.camera_pose(static_cast<int>(c), 5).isApprox(expected.camera_pose(static_cast<int>(c), 5), 1e-9));
    }
    ASSERT_TRUE(got.source.count("object_poses"));
    EXPECT_EQ(got.source.at("object_poses").shape, expected.source.at("object_poses").shape);
    // A policy can be scored on the stored scene: the expert's actions still succeed there.
    TabletopSim sim(scene_spec_from_episode(got));
    for (int t = 0; t + 1 < got.num_frames; ++t) sim.step(got.action(t));
    EXPECT_TRUE(std::equal(sim.state().begin(), sim.state().end(), got.state(got.num_frames - 1)));
    EXPECT_TRUE(sim.success());
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xwam::data::synthetic
