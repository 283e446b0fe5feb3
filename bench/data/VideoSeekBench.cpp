// `xwam bench video`: reading 9 frames at stride 4 from a 400-frame 320×240 mp4 with key-frame seeks,
// against the baseline of decoding every frame from the start up to the last one, in the same run.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/data/VideoReader.h"
#include "engine/data/VideoWriter.h"

using namespace xwam::data;
using Clock = std::chrono::steady_clock;

XWAM_BENCH(video, "mp4 frame access: 9 frames at stride 4, seek vs decode-everything",
           "xwam bench video [--frames 400] [--width 320 --height 240] [--start 300]", {"json"}) {
  (void)args.flag("json");
  const int frames = static_cast<int>(args.get_int("frames", 400));
  const int width = static_cast<int>(args.get_int("width", 320));
  const int height = static_cast<int>(args.get_int("height", 240));
  const int start = static_cast<int>(args.get_int("start", frames * 3 / 4));
  args.check_all_used();
  const int count = 9, stride = 4;
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
  auto t0 = Clock::now();
  VideoReader seeking(path);
  for (int i = 0; i < count; ++i) (void)seeking.frame(start + i * stride);
  const double seek_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  t0 = Clock::now();
  VideoReader sequential(path);
  for (int t = 0; t <= start + (count - 1) * stride; ++t) (void)sequential.frame(t);
  const double all_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::filesystem::remove(path);

  nlohmann::json out = {{"benchmark", "video"}, {"frames", frames}, {"width", width}, {"height", height},
                        {"requested", count}, {"stride", stride}, {"start", start},
                        {"seek_ms", seek_ms}, {"seek_frames_decoded", seeking.frames_decoded()},
                        {"baseline", "decode_from_start"}, {"decode_all_ms", all_ms},
                        {"decode_all_frames_decoded", sequential.frames_decoded()},
                        {"speedup", all_ms / seek_ms}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
