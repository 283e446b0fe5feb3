// `xwam bench video`: reading 9 frames at stride 4 from a 400-frame 320×240 mp4 with key-frame seeks,
// against the baseline of decoding every frame from the start up to the last one, in the same run.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "engine/core/Error.h"
#include "engine/data/VideoReader.h"
#include "engine/data/VideoWriter.h"

using namespace xwam::data;

XWAM_BENCH(video, "mp4 frame access: 9 frames at stride 4, seek vs decode-everything",
           "xwam bench video [--frames 400] [--width 320 --height 240] [--start 300] [--repeats 3] [--warmup 1]", {"json"}) {
  (void)args.flag("json");
  const int frames = static_cast<int>(args.get_int("frames", 400));
  const int width = static_cast<int>(args.get_int("width", 320));
  const int height = static_cast<int>(args.get_int("height", 240));
  const int start = static_cast<int>(args.get_int("start", frames * 3 / 4));
  const xwam::bench::TimingOptions timing = xwam::bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
  args.check_all_used();
  const int count = 9, stride = 4;
  if (width < 2 || height < 2 || start < 0) throw xwam::Error("bench video: --width and --height must be at least 2, --start not negative");
  if (start + (count - 1) * stride >= frames) throw xwam::Error("--start leaves no room for 9 frames at stride 4");

  const auto path = (std::filesystem::temp_directory_path() / ("xwam_bench_video_" + std::to_string(::getpid()) + ".mp4")).string();
  {
    VideoWriter out(path, width, height, {20.0, 0.8, 12});
    std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
    for (int t = 0; t < frames; ++t) {
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          uint8_t* p = rgb.data() + (static_cast<size_t>(y) * width + x) * 3;
          p[0] = static_cast<uint8_t>(128 + 100 * std::sin(0.03 * x + 0.1 * t));
          p[1] = static_cast<uint8_t>(128 + 100 * std::cos(0.04 * y - 0.05 * t));
          p[2] = static_cast<uint8_t>(x + y + t);
        }
      out.add(rgb.data());
    }
    out.finish();
  }
  // Each run opens the file afresh, so no run starts from a decoder another one left positioned.
  int64_t seek_decoded = 0, all_decoded = 0;
  const xwam::bench::Timing seek_ms = xwam::bench::time_runs(timing, [&] {
    VideoReader seeking(path);
    for (int i = 0; i < count; ++i) (void)seeking.frame(start + i * stride);
    seek_decoded = seeking.frames_decoded();
  });
  const xwam::bench::Timing all_ms = xwam::bench::time_runs(timing, [&] {
    VideoReader sequential(path);
    for (int t = 0; t <= start + (count - 1) * stride; ++t) (void)sequential.frame(t);
    all_decoded = sequential.frames_decoded();
  });
  std::filesystem::remove(path);

  nlohmann::json out = {{"benchmark", "video"}, {"frames", frames}, {"width", width}, {"height", height},
                        {"requested", count}, {"stride", stride}, {"start", start},
                        {"warmup", timing.warmup}, {"repeats", timing.repeats},
                        {"seek_ms", seek_ms.to_json()}, {"seek_frames_decoded", seek_decoded},
                        {"baseline", "decode_from_start"}, {"decode_all_ms", all_ms.to_json()},
                        {"decode_all_frames_decoded", all_decoded},
                        {"speedup", all_ms.median_ms / seek_ms.median_ms}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
