// `xwam bench read`: reading one frame range of a large episode file against reading the
// whole episode (the baseline), measured in the same run on the same file.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"

using namespace xwam::data;

namespace {

Episode make_large_episode(int frames, int width, int height, int cameras) {
  Episode ep;
  ep.name = "bench";
  ep.instruction = "benchmark";
  ep.num_frames = ep.total_frames = frames;
  ep.states.assign(static_cast<size_t>(frames) * kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(frames) * kActionDim, 0.f);
  for (int t = 0; t < frames; ++t) ep.states[t * kStateDim + 3] = 1.f;
  for (int c = 0; c < cameras; ++c) {
    CameraInfo cam;
    cam.name = "cam" + std::to_string(c);
    cam.width = width;
    cam.height = height;
    cam.has_depth = true;
    ep.cameras.push_back(cam);
    // A moving gradient with noise-like low bits: compresses like camera images rather than zeros.
    std::vector<uint8_t> rgb(static_cast<size_t>(frames) * width * height * 3);
    std::vector<float> depth(static_cast<size_t>(frames) * width * height);
    uint32_t state = 12345u + c;
    for (size_t i = 0; i < depth.size(); ++i) {
      state = state * 1664525u + 1013904223u;
      size_t x = i % width, y = (i / width) % height, t = i / (static_cast<size_t>(width) * height);
      for (int k = 0; k < 3; ++k) rgb[i * 3 + k] = static_cast<uint8_t>((x + 2 * y + 3 * t + 40 * k) + (state >> 29));
      depth[i] = 0.5f + 0.001f * static_cast<float>(y) + 1e-4f * static_cast<float>(state >> 24);
    }
    ep.rgb.push_back(std::move(rgb));
    ep.depth.push_back(std::move(depth));
  }
  return ep;
}

}  // namespace

XWAM_BENCH(read, "Read one frame range of a large episode file vs the whole episode",
           "xwam bench read [--frames 300] [--width 320 --height 240] [--range 9] [--repeats 3] [--warmup 1]", {"json"}) {
  (void)args.flag("json");
  const int frames = static_cast<int>(args.get_int("frames", 300));
  const int width = static_cast<int>(args.get_int("width", 320));
  const int height = static_cast<int>(args.get_int("height", 240));
  const int range = static_cast<int>(args.get_int("range", 9));
  const xwam::bench::TimingOptions timing = xwam::bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
  args.check_all_used();
  if (frames < 1 || width < 1 || height < 1 || range < 1 || range > frames)
    throw xwam::Error("bench read: --frames, --width, --height and --range must be positive, --range at most --frames");

  auto path = (std::filesystem::temp_directory_path() / ("xwam_bench_read_" + std::to_string(::getpid()) + ".h5")).string();
  {
    Episode ep = make_large_episode(frames, width, height, 3);
    EpisodeFileWriter writer(path);
    writer.add(ep);
    writer.commit();
  }
  EpisodeFileReader reader(path);
  ReadOptions part;
  part.first_frame = std::min(frames / 2, frames - range);
  part.num_frames = range;
  const xwam::bench::Timing range_ms = xwam::bench::time_runs(timing, [&] { (void)reader.read(0, part); });
  const xwam::bench::Timing all_ms = xwam::bench::time_runs(timing, [&] { (void)reader.read(0); });
  nlohmann::json out = {{"benchmark", "read"},
                        {"file_mb", static_cast<double>(std::filesystem::file_size(path)) / 1e6},
                        {"frames", frames},
                        {"views", 3},
                        {"width", width},
                        {"height", height},
                        {"range_frames", range},
                        {"warmup", timing.warmup},
                        {"repeats", timing.repeats},
                        {"range_ms", range_ms.to_json()},
                        {"baseline", "read_all"},
                        {"all_ms", all_ms.to_json()},
                        {"speedup_vs_all", all_ms.median_ms / range_ms.median_ms}};
  std::filesystem::remove(path);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
