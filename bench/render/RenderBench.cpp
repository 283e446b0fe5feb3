// `xwam bench render`: offscreen frame time of the Vulkan renderer against point count on both point
// paths in the same run: the compute path (points rasterized by a compute shader with 64-bit atomicMin,
// where the device has it) against its baseline, the hardware path (point primitives), with the share
// of identical pixels between the two paths' images at 1-pixel splats. Also the upload of a sequence and,
// with --reupload, the older baseline: re-uploading each frame's points through a persistent staging
// ring before drawing it (hardware path), against playing back the sequence uploaded once.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "bench/render/StagingRing.h"
#include "engine/core/Error.h"
#include "render/OffscreenRenderer.h"
#include "render/RenderError.h"
#include "render/SequenceBuffer.h"

using namespace xwam;

namespace {

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
  if (counts.empty()) counts = {100000, 1000000, 5000000, 10000000};
  return counts;
}

// Shares of identical pixels: over the whole image, and over the pixels either image drew a point on
// (not the background colour), which is what the comparison is about.
struct PixelAgreement {
  double all = 0, points = 0;
  size_t point_pixels = 0;
};
PixelAgreement compare(const render::RgbaImage& a, const render::RgbaImage& b, const float background[4]) {
  uint8_t bg[4];
  for (int c = 0; c < 4; ++c) bg[c] = uint8_t(std::lround(background[c] * 255.0f));
  size_t same = 0, covered = 0, same_covered = 0;
  const size_t n = size_t(a.width) * a.height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* pa = &a.pixels[4 * i];
    const uint8_t* pb = &b.pixels[4 * i];
    const bool equal = std::memcmp(pa, pb, 4) == 0;
    const bool drawn = std::memcmp(pa, bg, 4) != 0 || std::memcmp(pb, bg, 4) != 0;
    same += equal;
    covered += drawn;
    same_covered += drawn && equal;
  }
  return {double(same) / double(n), covered ? double(same_covered) / double(covered) : 1.0, covered};
}

}  // namespace

XWAM_BENCH(render, "Renderer frame time vs point count: compute point path vs hardware path, identical pixels, upload",
           "xwam bench render [--width 1920] [--height 1080] [--points 100000 1000000 5000000 10000000] [--frames 3]\n"
           "                  [--repeats 5] [--warmup 1] [--point-size 1] [--reupload] [--staging-slots 2] [--json]\n"
           "  each timed run draws every frame once; the pixel comparison is at 1-pixel splats",
           {"json", "reupload"}) {
  (void)args.flag("json");  // JSON is the only output
  const bool reupload = args.flag("reupload");
  const int width = static_cast<int>(args.get_int("width", 1920));
  const int height = static_cast<int>(args.get_int("height", 1080));
  const int frames = static_cast<int>(args.get_int("frames", 3));
  const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 5), args.get_int("warmup", 1));
  const int slots = static_cast<int>(args.get_int("staging-slots", 2));
  const float point_size_px = static_cast<float>(args.get_double("point-size", 1.0));
  const std::vector<size_t> counts = point_counts(args);
  args.check_all_used();
  if (width < 1 || height < 1 || frames < 1 || point_size_px < 1 || slots < 1 || slots > 8)
    throw Error("bench render: --width, --height, --frames and --point-size must be at least 1, --staging-slots 1 to 8");

  try {
    render::OffscreenRenderer renderer(width, height);
    render::SceneRenderer& scene = renderer.scene();
    const bool compute = scene.supports_compute_points();
    nlohmann::json results = nlohmann::json::array();
    for (const size_t n : counts) {
      render::PointSequence seq = synthetic_sequence(n, frames);
      render::ViewSettings s;
      s.point_size_px = point_size_px;
      s.show_frustums = s.show_trajectory = false;

      // Upload of the whole sequence (pack + copy to the device), once.
      const auto upload_start = std::chrono::steady_clock::now();
      scene.set_sequences(&seq, nullptr);
      const double upload_ms = bench::ms_since(upload_start);
      scene.frame_camera(s, render::OrbitCamera::Preset::Main);

      // Each path plays the uploaded frames back. The warm-up compiles the pipelines on first use.
      auto play = [&](render::PointPath path) {
        scene.set_point_path(path);
        return bench::time_runs(timing, [&] {
          for (int f = 0; f < frames; ++f) {
            s.frame = f;
            renderer.draw(s, false);
          }
        });
      };
      auto path_json = [&](const bench::Timing& t) {
        const double frame_ms = t.median_ms / frames;
        return nlohmann::json{{"sequence_ms", t.to_json()},
                              {"frame_ms", frame_ms},
                              {"points_per_s", n / (frame_ms / 1000.0)},
                              {"fps", 1000.0 / frame_ms}};
      };
      nlohmann::json row = {{"points", n}, {"upload_ms", upload_ms},
                            {"upload_points_per_s", n * frames / (upload_ms / 1000.0)}};
      const bench::Timing hardware = play(render::PointPath::Hardware);
      row["hardware"] = path_json(hardware);
      if (compute) {
        const bench::Timing ours = play(render::PointPath::Compute);
        row["compute"] = path_json(ours);
        row["speedup_compute_vs_hardware"] = hardware.median_ms / ours.median_ms;

        // The same frame on both paths at 1-pixel splats, read back and compared pixel by pixel.
        render::ViewSettings one = s;
        one.frame = 0;
        one.point_size_px = 1.0f;
        scene.set_point_path(render::PointPath::Hardware);
        const render::RgbaImage a = renderer.render(one);
        scene.set_point_path(render::PointPath::Compute);
        const render::RgbaImage b = renderer.render(one);
        const PixelAgreement agree = compare(a, b, one.background);
        row["identical_pixels"] = agree.all;
        row["identical_point_pixels"] = agree.points;
        row["point_pixels"] = agree.point_pixels;
      }

      // Re-upload baseline (hardware path): every frame packs its points into the next staging slot,
      // queues the copy into a device-local buffer and draws; the ring and the buffer outlive the runs.
      if (reupload) {
        scene.set_point_path(render::PointPath::Hardware);
        const VkDeviceSize bytes = n * sizeof(render::PointVertex);
        render::Buffer device_points(renderer.context(), bytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT,
                                     render::Buffer::Memory::DeviceLocal);
        bench::StagingRing ring(renderer.context(), bytes, slots);
        const bench::Timing baseline = bench::time_runs(timing, [&] {
          for (int f = 0; f < frames; ++f) {
            s.frame = f;
            render::SequenceBuffer::pack(seq.frames[f], static_cast<render::PointVertex*>(ring.acquire()));
            ring.submit_copy(device_points.handle(), bytes);
            renderer.draw(s, false);
          }
        });
        ring.wait_all();
        const double reupload_frame_ms = baseline.median_ms / frames;
        row["reupload_sequence_ms"] = baseline.to_json();
        row["reupload_frame_ms"] = reupload_frame_ms;
        row["speedup_vs_reupload"] = reupload_frame_ms / (hardware.median_ms / frames);
      }
      results.push_back(row);
      scene.set_sequences(nullptr, nullptr);  // free this size before the next
    }
    nlohmann::json out = {{"benchmark", "render"},
                          {"device", renderer.context().device_name()},
                          {"software_device", renderer.context().is_software()},
                          {"width", width},
                          {"height", height},
                          {"frames", frames},
                          {"warmup", timing.warmup},
                          {"repeats", timing.repeats},
                          {"point_size_px", point_size_px},
                          {"compute_path", compute},
                          {"baseline", "hardware point path (point primitives) playing back the same uploaded sequence"},
                          {"results", results}};
    if (reupload) {
      out["staging_slots"] = slots;
      out["reupload_baseline"] = "each frame's points packed into a persistent staging ring and copied to a "
                                 "device-local buffer before drawing it (hardware path)";
    }
    std::printf("%s\n", out.dump(2).c_str());
  } catch (const render::RenderError& e) {
    throw Error(e.what());
  }
  return 0;
}
