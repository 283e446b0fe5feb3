// The X-WAM Studio episode file: many episodes in one HDF5 file, chunked + compressed per frame,
// calibration and schema version as attributes. Layout: docs/episode-format.md.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/data/NormStats.h"

namespace xwam::data {

// 2: intrinsics in the OpenCV convention (pixel centres at integers; version 1 put them at +0.5 and is
// converted on read), encoded depth without a metric mapping (depth_code).
constexpr int kEpisodeSchemaVersion = 2;

// What `inspect` and pickers need without reading any pixel.
struct EpisodeSummary {
  std::string name, instruction, task;
  double fps = 0;
  int num_frames = 0;
  std::optional<bool> success;
  std::vector<CameraInfo> cameras;
  std::array<uint8_t, kStateDim> state_mask{};
  std::array<uint8_t, kActionDim> action_mask{};
  std::vector<std::string> source_keys;
};

struct ReadOptions {
  int first_frame = 0;
  int num_frames = -1;  // -1 = to the end
  bool rgb = true;
  bool depth = true;
  bool source = true;  // the source's own arrays (whole episode, never range-sliced)
};

// Reads an episode file. Opening checks the schema; reading touches only the requested hyperslab
// (one episode, one frame range), never the whole file. Not thread-safe: one reader per thread.
class EpisodeFileReader {
 public:
  explicit EpisodeFileReader(const std::string& path);  // throws xwam::Error naming the file
  ~EpisodeFileReader();
  EpisodeFileReader(EpisodeFileReader&&) noexcept;
  EpisodeFileReader& operator=(EpisodeFileReader&&) noexcept;

  const std::string& path() const;
  int num_episodes() const;
  EpisodeSummary summary(int index) const;
  Episode read(int index, const ReadOptions& options = {}) const;  // validated; throws naming file/episode/key
  std::optional<NormStats> stats() const;  // the statistics stored with the dataset, if any

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a new episode file atomically: everything goes to a temporary beside `path`, which replaces
// `path` only in commit(). Destroying the writer without commit() leaves no file behind.
//   EpisodeFileWriter w("scenes.h5");
//   for (auto& ep : episodes) w.add(ep);
//   w.set_stats(NormStats::compute(episodes));
//   w.commit();
class EpisodeFileWriter {
 public:
  explicit EpisodeFileWriter(const std::string& path);
  ~EpisodeFileWriter();
  void add(const Episode& episode);  // validates first; names must be unique
  void set_stats(const NormStats& stats);
  void commit();
  int num_episodes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience: reads episode `index` of `path` whole.
Episode read_episode(const std::string& path, int index, const ReadOptions& options = {});

}  // namespace xwam::data
