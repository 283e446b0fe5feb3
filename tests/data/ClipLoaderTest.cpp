// The training loader: seeded shuffles, rank sharding, resumable position, held-out split.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "engine/core/Error.h"
#include "engine/data/ClipLoader.h"
#include "engine/data/EpisodeFile.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

// Episodes whose state[0] = 1000·episode + frame identifies every clip's origin.
std::string write_dataset(int episodes, int frames) {
  auto path = (fs::temp_directory_path() / ("xwam_loader_" + std::to_string(::getpid()) + ".h5")).string();
  EpisodeFileWriter w(path);
  for (int e = 0; e < episodes; ++e) {
    Episode ep;
    ep.name = "ep" + std::to_string(e);
    ep.num_frames = ep.total_frames = frames;
    CameraInfo cam;
    cam.name = "main";
    cam.width = 4;
    cam.height = 4;
    ep.cameras = {cam};
    ep.rgb = {std::vector<uint8_t>(static_cast<size_t>(frames) * 48, static_cast<uint8_t>(e))};
    ep.depth = {{}};
    ep.states.assign(static_cast<size_t>(frames) * kStateDim, 0.f);
    ep.actions.assign(static_cast<size_t>(frames) * kActionDim, 0.f);
    for (int t = 0; t < frames; ++t) ep.states[t * kStateDim] = static_cast<float>(1000 * e + t);
    w.add(ep);
  }
  w.commit();
  return path;
}

NormStats identity() {
  NormStats s;
  s.state_q01.fill(-1.f);
  s.state_q99.fill(1.f);
  s.action_q01.fill(-1.f);
  s.action_q99.fill(1.f);
  return s;
}

ClipSpec small_spec() {
  ClipSpec spec;
  spec.future_frames = 2;
  spec.frame_skip = 2;  // clips span 5 frames
  return spec;
}

int origin(const Clip& c) { return static_cast<int>(std::lround(c.states[0])); }

}  // namespace

TEST(ClipLoader, EachEpochServesEveryClipOnceInASeededOrder) {
  auto path = write_dataset(3, 9);  // 3 × (9 − 4) = 15 clips
  ClipLoaderOptions opt;
  opt.batch_size = 5;
  opt.seed = 11;
  ClipLoader loader({path}, small_spec(), identity(), opt);
  EXPECT_EQ(loader.num_clips(), 15u);
  std::multiset<int> seen;
  for (int b = 0; b < 3; ++b) {
    auto batch = loader.next();
    ASSERT_TRUE(batch);
    for (const auto& clip : *batch) seen.insert(origin(clip));
  }
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 15u);
  EXPECT_EQ(loader.position().epoch, 1);
  auto e0 = loader.epoch_order(0), e1 = loader.epoch_order(1);
  bool differ = false;
  for (size_t i = 0; i < e0.size(); ++i) differ |= e0[i].start != e1[i].start || e0[i].episode != e1[i].episode;
  EXPECT_TRUE(differ);
  ClipLoaderOptions other = opt;
  other.seed = 12;
  ClipLoader reseeded({path}, small_spec(), identity(), other);
  auto r0 = reseeded.epoch_order(0);
  differ = false;
  for (size_t i = 0; i < e0.size(); ++i) differ |= e0[i].start != r0[i].start || e0[i].episode != r0[i].episode;
  EXPECT_TRUE(differ);
  fs::remove(path);
}

TEST(ClipLoader, RanksSplitTheGlobalBatchAndSeekResumes) {
  auto path = write_dataset(4, 10);  // 24 clips
  ClipLoaderOptions single;
  single.batch_size = 4;
  single.seed = 3;
  ClipLoaderOptions r0 = single, r1 = single;
  r0.batch_size = r1.batch_size = 2;
  r0.world_size = r1.world_size = 2;
  r1.rank = 1;
  ClipLoader a({path}, small_spec(), identity(), single), b0({path}, small_spec(), identity(), r0),
      b1({path}, small_spec(), identity(), r1);
  for (int step = 0; step < 3; ++step) {
    auto whole = *a.next(), part0 = *b0.next(), part1 = *b1.next();
    ASSERT_EQ(part0.size(), 2u);
    EXPECT_EQ(origin(whole[0]), origin(part0[0]));
    EXPECT_EQ(origin(whole[1]), origin(part0[1]));
    EXPECT_EQ(origin(whole[2]), origin(part1[0]));
    EXPECT_EQ(origin(whole[3]), origin(part1[1]));
  }
  // Resume: a fresh loader seeked to the position serves exactly what the first serves next.
  LoaderPosition pos = a.position();
  EXPECT_EQ(pos.batch, 3);
  ClipLoader resumed({path}, small_spec(), identity(), single);
  resumed.seek(pos);
  for (int step = 0; step < 5; ++step) {  // crosses into the next epoch
    auto x = *a.next(), y = *resumed.next();
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(origin(x[i]), origin(y[i]));
  }
  fs::remove(path);
}

TEST(ClipLoader, HeldOutEpisodesAreDisjointAndTooLittleDataIsRefused) {
  auto path = write_dataset(4, 7);
  ClipLoaderOptions train_opt;
  train_opt.batch_size = 1;
  train_opt.holdout_every = 2;  // episodes 1 and 3 held out
  ClipLoaderOptions eval_opt = train_opt;
  eval_opt.holdout_split = true;
  ClipLoader train({path}, small_spec(), identity(), train_opt), eval({path}, small_spec(), identity(), eval_opt);
  EXPECT_EQ(train.num_episodes(), 2u);
  EXPECT_EQ(eval.num_episodes(), 2u);
  std::set<int> eval_episodes;
  while (auto batch = eval.next()) eval_episodes.insert(origin(batch->front()) / 1000);
  EXPECT_EQ(eval_episodes, (std::set<int>{1, 3}));
  ClipSpec long_spec;  // needs 33 frames
  EXPECT_THROW(ClipLoader({path}, long_spec, identity(), train_opt), xwam::Error);
  fs::remove(path);
}
