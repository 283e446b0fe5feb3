#include "engine/data/ClipLoader.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"

namespace xwam::data {
namespace {

uint64_t mix(uint64_t a, uint64_t b) {
  // splitmix64 of the pair: independent streams per (seed, epoch, index).
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform integer in [0, n) from 64 random bits, identical on every platform.
uint64_t below(std::mt19937_64& rng, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

struct Ready {
  LoaderPosition position;  // of this batch
  std::vector<Clip> clips;
  std::string error;
};

}  // namespace

struct ClipLoader::Impl {
  std::vector<std::string> files;
  ClipSpec spec;
  NormStats stats;
  ClipLoaderOptions options;
  std::vector<ClipRef> clips;
  size_t episodes = 0;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Ready> queue;
  LoaderPosition served;   // position of the next batch next() returns
  LoaderPosition produce;  // next batch the worker prepares
  bool stop = false;
  bool exhausted = false;
  std::thread worker;

  int64_t batches_per_epoch() const {
    const size_t global = static_cast<size_t>(options.batch_size) * options.world_size;
    return static_cast<int64_t>(clips.size() / global);
  }

  std::vector<ClipRef> order(int64_t epoch) const {
    std::vector<ClipRef> out = clips;
    if (options.holdout_split) return out;  // evaluation: fixed order
    std::mt19937_64 rng(mix(options.seed, static_cast<uint64_t>(epoch)));
    for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[below(rng, i)]);
    return out;
  }

  Clip load(const ClipRef& ref, uint64_t augment_seed, std::vector<std::unique_ptr<EpisodeFileReader>>& readers) const {
    if (!readers[ref.file]) readers[ref.file] = std::make_unique<EpisodeFileReader>(files[ref.file]);
    ReadOptions ro;
    ro.first_frame = ref.start;
    ro.num_frames = spec.future_frames * spec.frame_skip + 1;
    ro.source = false;
    Episode ep = readers[ref.file]->read(ref.episode, ro);
    if (options.crop_scale < 1.0) {
      std::mt19937_64 rng(augment_seed);
      const auto& cam = ep.cameras.front();
      CropBox crop;
      crop.width = cam.width * options.crop_scale;
      crop.height = cam.height * options.crop_scale;
      crop.x0 = (cam.width - crop.width) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
      crop.y0 = (cam.height - crop.height) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
      return make_clip(ep, 0, spec, stats, true, &crop);
    }
    return make_clip(ep, 0, spec, stats, true);
  }

  void run() {
    std::vector<std::unique_ptr<EpisodeFileReader>> readers(files.size());
    int64_t cached_epoch = -1;
    std::vector<ClipRef> epoch_refs;
    while (true) {
      LoaderPosition pos;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return stop || static_cast<int>(queue.size()) < options.prefetch; });
        if (stop) return;
        pos = produce;
      }
      Ready ready;
      ready.position = pos;
      const int64_t per_epoch = batches_per_epoch();
      if (options.holdout_split && pos.epoch > 0) {
        std::lock_guard<std::mutex> lock(mutex);
        exhausted = true;
        cv.notify_all();
        return;
      }
      try {
        if (pos.epoch != cached_epoch) {
          epoch_refs = order(pos.epoch);
          cached_epoch = pos.epoch;
        }
        const size_t global = static_cast<size_t>(options.batch_size) * options.world_size;
        const size_t base = static_cast<size_t>(pos.batch) * global + static_cast<size_t>(options.rank) * options.batch_size;
        for (int i = 0; i < options.batch_size; ++i) {
          const size_t index = base + i;
          ready.clips.push_back(load(epoch_refs[index], mix(mix(options.seed, pos.epoch), index), readers));
        }
      } catch (const std::exception& e) {
        ready.error = e.what();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (stop) return;
      queue.push_back(std::move(ready));
      produce.batch += 1;
      if (produce.batch >= per_epoch) produce = {produce.epoch + 1, 0};
      cv.notify_all();
    }
  }

  void start() { worker = std::thread([this] { run(); }); }

  void halt() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
    if (worker.joinable()) worker.join();
    queue.clear();
    stop = false;
    exhausted = false;
  }
};

ClipLoader::ClipLoader(std::vector<std::string> files, ClipSpec spec, NormStats stats, ClipLoaderOptions options)
    : impl_(new Impl) {
  if (options.batch_size < 1 || options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size)
    throw Error("invalid loader options: batch size " + std::to_string(options.batch_size) + ", rank " +
                std::to_string(options.rank) + " of " + std::to_string(options.world_size));
  impl_->files = std::move(files);
  impl_->spec = std::move(spec);
  impl_->stats = stats;
  impl_->options = options;
  int global_episode = 0;
  for (size_t f = 0; f < impl_->files.size(); ++f) {
    EpisodeFileReader reader(impl_->files[f]);
    for (int e = 0; e < reader.num_episodes(); ++e, ++global_episode) {
      const bool held_out = options.holdout_every > 0 && global_episode % options.holdout_every == options.holdout_every - 1;
      if (held_out != options.holdout_split) continue;
      const int starts = std::max(0, reader.summary(e).num_frames - impl_->spec.future_frames * impl_->spec.frame_skip);
      for (int s = 0; s < starts; s += std::max(1, impl_->spec.start_stride))
        impl_->clips.push_back({static_cast<int>(f), e, s});
      ++impl_->episodes;
    }
  }
  if (impl_->batches_per_epoch() == 0) {
    std::string names;
    for (const auto& f : impl_->files) names += (names.empty() ? "" : ", ") + f;
    throw Error(names, "only " + std::to_string(impl_->clips.size()) + " clips of " +
                           std::to_string(impl_->spec.future_frames * impl_->spec.frame_skip + 1) +
                           " frames, fewer than one batch of " +
                           std::to_string(options.batch_size * options.world_size) + (options.holdout_split ? " (held-out split)" : ""));
  }
  impl_->start();
}

ClipLoader::~ClipLoader() { impl_->halt(); }

std::optional<std::vector<Clip>> ClipLoader::next() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->cv.wait(lock, [&] { return !impl_->queue.empty() || impl_->exhausted; });
  if (impl_->queue.empty()) return std::nullopt;
  Ready ready = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  impl_->cv.notify_all();
  if (!ready.error.empty()) throw Error(ready.error);
  impl_->served = ready.position;
  impl_->served.batch += 1;
  if (impl_->served.batch >= impl_->batches_per_epoch()) impl_->served = {impl_->served.epoch + 1, 0};
  return std::move(ready.clips);
}

LoaderPosition ClipLoader::position() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->served;
}

void ClipLoader::seek(const LoaderPosition& position) {
  impl_->halt();
  impl_->served = impl_->produce = position;
  impl_->start();
}

size_t ClipLoader::num_clips() const { return impl_->clips.size(); }
size_t ClipLoader::num_episodes() const { return impl_->episodes; }
std::vector<ClipRef> ClipLoader::epoch_order(int64_t epoch) const { return impl_->order(epoch); }

}  // namespace xwam::data
