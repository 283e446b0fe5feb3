// `xwam bench render`: offscreen frame time of the Vulkan renderer against point count, and the upload
// of a sequence. Baseline in the same run: re-uploading each frame's points before drawing it (what a
// viewer without per-sequence buffers does) against playing back the sequence uploaded once.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "render/OffscreenRenderer.h"
#include "render/RenderError.h"
#include "render/SequenceBuffer.h"

using namespace xwam;

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `frames` frames of `points` random coloured points: a table-sized slab with objects' worth of spread.
render::PointSequence synthetic_sequence(size_t points, int frames) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> x(-0.6f, 0.6f), y(-0.4f, 0.4f), z(0.0f, 0.3f);
  render::PointSequence seq;
  seq.frames.resize(frames);
  for (auto& f : seq.frames) {
    f.xyz.resize(points * 3);
    f.rgb.resize(points * 3);
    for (size_t i = 0; i < points; ++i) {
      f.xyz[3 * i] = x(rng);
      f.xyz[3 * i + 1] = y(rng);
      f.xyz[3 * i + 2] = z(rng) * z(rng) / 0.3f;
      const uint32_t c = rng();
      f.rgb[3 * i] = uint8_t(c);
      f.rgb[3 * i + 1] = uint8_t(c >> 8);
      f.rgb[3 * i + 2] = uint8_t(c >> 16);
    }
  }
  return seq;
}

std::vector<size_t> point_counts(const cli::Args& args) {
  std::vector<size_t> counts;
  for (const auto& text : args.list("points")) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || v < 1) throw Error("option --points expects positive counts, got '" + text + "'");
    counts.push_back(static_cast<size_t>(v));
  }
  if (counts.empty()) counts = {100000, 1000000, 5000000};
  return counts;
}

}  // namespace

XWAM_BENCH(render, "Renderer frame time vs point count, sequence upload, and uploaded-once vs re-upload playback",
           "xwam bench render [--width 1920] [--height 1080] [--points 100000 1000000 5000000] [--frames 3]\n"
           "                  [--repeat 5] [--point-size 2] [--json]",
           {"json"}) {
  (void)args.flag("json");  // JSON is the only output
  const int width = static_cast<int>(args.get_int("width", 1920));
  const int height = static_cast<int>(args.get_int("height", 1080));
  const int frames = static_cast<int>(args.get_int("frames", 3));
  const int repeat = static_cast<int>(args.get_int("repeat", 5));
  const float point_size_px = static_cast<float>(args.get_double("point-size", 2.0));
  const std::vector<size_t> counts = point_counts(args);
  args.check_all_used();
  if (frames < 1 || repeat < 1 || point_size_px < 1) throw Error("--frames, --repeat and --point-size must be at least 1");

  try {
    render::OffscreenRenderer renderer(width, height);
    render::SceneRenderer& scene = renderer.scene();
    nlohmann::json results = nlohmann::json::array();
    for (const size_t n : counts) {
      render::PointSequence seq = synthetic_sequence(n, frames);
      render::ViewSettings s;
      s.point_size_px = point_size_px;
      s.show_frustums = s.show_trajectory = false;

      // Upload of the whole sequence (pack + copy to the device), once.
      const auto upload_start = Clock::now();
      scene.set_sequences(&seq, nullptr);
      const double upload_ms = ms_since(upload_start);
      scene.frame_camera(s, render::OrbitCamera::Preset::Main);
      renderer.draw(s, false);  // warm-up (pipeline compilation on first use)

      // Ours: play the uploaded frames back.
      std::vector<double> frame_ms;
      for (int r = 0; r < repeat; ++r)
        for (int f = 0; f < frames; ++f) {
          s.frame = f;
          const auto t = Clock::now();
          renderer.draw(s, false);
          frame_ms.push_back(ms_since(t));
        }

      // Baseline: every frame packs and uploads its points again, then draws the same frame.
      render::Buffer scratch(renderer.context(), n * sizeof(render::PointVertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT,
                             render::Buffer::Memory::DeviceLocal);
      std::vector<render::PointVertex> packed(n);
      std::vector<double> reupload_ms;
      for (int r = 0; r < repeat; ++r)
        for (int f = 0; f < frames; ++f) {
          s.frame = f;
          const auto t = Clock::now();
          render::SequenceBuffer::pack(seq.frames[f], packed.data());
          scratch.upload(packed.data(), n * sizeof(render::PointVertex));
          renderer.draw(s, false);
          reupload_ms.push_back(ms_since(t));
        }

      const double ours = median(frame_ms), baseline = median(reupload_ms);
      results.push_back({{"points", n},
                         {"frame_ms", ours},
                         {"points_per_s", n / (ours / 1000.0)},
                         {"fps", 1000.0 / ours},
                         {"upload_ms", upload_ms},
                         {"upload_points_per_s", n * frames / (upload_ms / 1000.0)},
                         {"reupload_frame_ms", baseline},
                         {"speedup_vs_reupload", baseline / ours}});
      scene.set_sequences(nullptr, nullptr);  // free this size before the next
    }
    nlohmann::json out = {{"device", renderer.context().device_name()},
                          {"software_device", renderer.context().is_software()},
                          {"width", width},
                          {"height", height},
                          {"frames", frames},
                          {"repeat", repeat},
                          {"point_size_px", point_size_px},
                          {"baseline", "re-upload: pack + upload each frame's points before drawing it"},
                          {"results", results}};
    std::printf("%s\n", out.dump(2).c_str());
  } catch (const render::RenderError& e) {
    throw Error(e.what());
  }
  return 0;
}
