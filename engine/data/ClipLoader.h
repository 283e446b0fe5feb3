// Batches of clips for training: every clip window of a set of episode files, shuffled per epoch from
// a seed, optionally sharded across data-parallel ranks, prepared on a background thread.
//
//   ClipLoader loader({"a.h5", "b.h5"}, spec, stats, {.batch_size = 4, .seed = 1});
//   while (auto batch = loader.next()) train_on(*batch);   // endless; epochs roll over
//   LoaderPosition pos = loader.position();                // store in the checkpoint; resume with seek()
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Clip.h"

namespace xwam::data {

struct ClipLoaderOptions {
  int batch_size = 4;       // clips per batch on this rank
  uint64_t seed = 0;        // shuffling and augmentation
  int rank = 0;             // data-parallel rank and world size: rank r takes every world-th clip
  int world_size = 1;
  double crop_scale = 1.0;  // < 1: random crop of this share of each side (augmentation)
  int prefetch = 2;         // batches prepared ahead on the background thread
  // Episodes whose index within the whole dataset has index % holdout_every == holdout_every − 1
  // are held out for evaluation (0 = none).
  int holdout_every = 0;
  bool holdout_split = false;  // true: serve only the held-out episodes (in order, no shuffle)
};

// Where a loader stands: the epoch and how many of its global batches were served.
struct LoaderPosition {
  int64_t epoch = 0;
  int64_t batch = 0;
};

struct ClipRef {
  int file = 0, episode = 0, start = 0;
};

class ClipLoader {
 public:
  // Indexes every clip start of every episode (reads summaries only). Throws xwam::Error when the
  // files hold no clip long enough for `spec`.
  ClipLoader(std::vector<std::string> files, ClipSpec spec, NormStats stats, ClipLoaderOptions options);
  ~ClipLoader();

  // The next batch (blocking). Held-out mode returns nullopt after one pass; training never ends.
  std::optional<std::vector<Clip>> next();
  LoaderPosition position() const;
  void seek(const LoaderPosition& position);  // restarts the background thread there

  size_t num_clips() const;     // clip windows this loader serves per epoch (all ranks)
  size_t num_episodes() const;  // episodes it draws from
  // The clip order of an epoch (before rank sharding): a pure function of (seed, epoch).
  std::vector<ClipRef> epoch_order(int64_t epoch) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::data
