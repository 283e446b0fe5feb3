// `xwam render`: a fused 4D rollout (cloud directory, or a recorded episode fused on the fly) drawn
// offscreen with the Vulkan renderer into a PNG of one frame or an mp4 of every frame.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "app/bridge/CloudConversion.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/VideoWriter.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/SequenceFusion.h"
#include "render/OffscreenRenderer.h"
#include "render/RenderError.h"
#include "render/ViewDefaults.h"

namespace {

using namespace xwam;

std::vector<uint8_t> to_rgb(const render::RgbaImage& image) {
  std::vector<uint8_t> rgb(size_t(image.width) * image.height * 3);
  for (size_t i = 0, n = size_t(image.width) * image.height; i < n; ++i)
    for (int c = 0; c < 3; ++c) rgb[3 * i + c] = image.pixels[4 * i + c];
  return rgb;
}

// The sequences to draw: one or two cloud directories (by their `source`: one recorded, one predicted),
// or the recorded episode fused at every frame.
void load(const cli::Args& args, std::unique_ptr<render::PointSequence>& predicted,
          std::unique_ptr<render::PointSequence>& recorded) {
  const std::vector<std::string> dirs = args.list("cloud");
  if (!dirs.empty() == args.has("scene")) throw Error("give either --cloud DIR [DIR2] or --scene FILE.h5[:EPISODE]");
  if (dirs.size() > 2) throw Error("--cloud takes at most two directories (predicted and recorded)");
  for (const auto& dir : dirs) {
    const geometry::CloudSequence seq = geometry::read_cloud_directory(dir);
    if (seq.frames.empty()) throw Error(dir, "the cloud directory has no frames");
    auto& slot = seq.source == "recorded" ? recorded : predicted;
    if (slot) throw Error(dir, "a second cloud directory of source '" + seq.source + "': give one predicted and one recorded");
    slot = std::make_unique<render::PointSequence>(bridge::to_point_sequence(seq));
  }
  if (args.has("scene")) {
    const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
    const data::Episode episode = data::read_episode(scene.file, scene.episode);
    std::vector<int> frames;
    for (int t = 0; t < episode.num_frames; ++t) frames.push_back(t);
    if (frames.empty()) throw Error(scene.file, "the episode has no frames");
    recorded = std::make_unique<render::PointSequence>(
        bridge::to_point_sequence(geometry::fuse_recorded(episode, frames, geometry::FusionOptions{})));
  }
}

}  // namespace

XWAM_COMMAND(render, "Render a fused 4D rollout (cloud directory or recorded episode) to a PNG or an mp4",
             "xwam render (--cloud DIR [DIR2] | --scene FILE.h5[:EPISODE]) (--png OUT.png --frame N | --video OUT.mp4 [--fps F])\n"
             "            [--width 1280] [--height 720] [--view main|top|side|CAMERA] [--color rgb|depth|height|error|view]\n"
             "            [--point-size PX] [--point-size-m M] [--error-max M] [--side-by-side] [--no-overlay]\n"
             "            [--point-path compute|hardware] [--json]\n"
             "  Two cloud directories (predicted and recorded) are drawn overlaid, or side by side. --view names an\n"
             "  orbit preset (main, top, side) or a recorded camera to look through. Needs a Vulkan device\n"
             "  (lavapipe is enough). Points are rasterized by compute shaders where the device has 64-bit atomics\n"
             "  (--point-path compute, the default there), else as point primitives (hardware).",
             {"side-by-side", "no-overlay", "json"}) {
  using namespace xwam;
  const std::string png = args.get("png", "");
  const std::string video = args.get("video", "");
  if (png.empty() == video.empty()) throw Error("give exactly one of --png OUT.png or --video OUT.mp4");
  const long long frame = args.get_int("frame", png.empty() ? 0 : -1);
  if (!png.empty() && !args.has("frame")) throw Error("--png needs --frame N");
  const int width = static_cast<int>(args.get_int("width", 1280));
  const int height = static_cast<int>(args.get_int("height", 720));
  const std::string view = args.get("view", "main");
  const double fps_arg = args.get_double("fps", 0);
  const bool json = args.flag("json");

  render::ViewSettings settings;
  try {
    settings.color = render::parse_color_mode(args.get("color", "rgb"));
  } catch (const render::RenderError& e) {
    throw Error(e.what());
  }
  settings.point_size_px = static_cast<float>(args.get_double("point-size", 0));
  settings.point_size_m = static_cast<float>(args.get_double("point-size-m", 0));
  settings.error_max_m = static_cast<float>(args.get_double("error-max", settings.error_max_m));
  settings.layout = args.flag("side-by-side") ? render::Layout::SideBySide : render::Layout::Overlay;
  settings.show_overlay = !args.flag("no-overlay");
  if (settings.point_size_px < 0 || settings.point_size_m < 0 || settings.error_max_m <= 0)
    throw Error("--point-size, --point-size-m must be ≥ 0 and --error-max > 0");

  // The device first: without one, fail before any slow loading.
  std::unique_ptr<render::OffscreenRenderer> renderer;
  try {
    renderer = std::make_unique<render::OffscreenRenderer>(width, height);
  } catch (const render::RenderError& e) {
    throw Error(e.what());
  }
  if (args.has("point-path")) {
    try {
      renderer->scene().set_point_path(render::parse_point_path(args.get("point-path", "")));
    } catch (const render::RenderError& e) {
      throw Error(std::string("--point-path: ") + e.what());
    }
  }
  std::unique_ptr<render::PointSequence> predicted, recorded;
  load(args, predicted, recorded);
  args.check_all_used();

  const size_t frames = std::max(predicted ? predicted->frames.size() : 0, recorded ? recorded->frames.size() : 0);
  if (!png.empty() && (frame < 0 || static_cast<size_t>(frame) >= frames))
    throw Error("frame " + std::to_string(frame) + " is out of range: the sequence has " + std::to_string(frames) +
                " frames (0.." + std::to_string(frames - 1) + ")");
  if (!video.empty() && (width % 2 || height % 2)) throw Error("--video needs an even --width and --height");

  try {
    render::SceneRenderer& scene = renderer->scene();
    scene.set_sequences(predicted.get(), recorded.get());
    using Preset = render::OrbitCamera::Preset;
    if (view == "main" || view == "top" || view == "side") {
      scene.frame_camera(settings, view == "main" ? Preset::Main : view == "top" ? Preset::Top : Preset::Side);
    } else {
      settings.scene_camera = scene.find_camera(view);
      if (settings.scene_camera < 0) throw Error("unknown --view '" + view + "' (main, top, side or a camera name)");
    }
    // Default splats (the studio's 3D view starts from the same ones).
    if (settings.point_size_px == 0 && settings.point_size_m == 0)
      render::apply_default_point_size(settings, scene, recorded ? *recorded : *predicted, width, height);
    if (settings.color == render::ColorMode::Error && !scene.has_error())
      throw Error("--color error needs per-point errors (a predicted cloud directory written by `xwam fuse --source ROLLOUT`)");

    if (!png.empty()) {
      settings.frame = static_cast<int>(frame);
      renderer->draw(settings);  // warm-up: the overlay shows the previous frame's time
      const render::RgbaImage image = renderer->render(settings);
      geometry::write_png(png, to_rgb(image).data(), image.width, image.height);
    } else {
      // The sequence's own rate unless --fps says otherwise.
      const double seq_fps = (recorded ? *recorded : *predicted).fps;
      const double fps = fps_arg > 0 ? fps_arg : seq_fps > 0 ? seq_fps : 10.0;
      data::VideoWriter writer(video, width, height, {fps});
      for (size_t f = 0; f < frames; ++f) {
        settings.frame = static_cast<int>(f);
        const render::RgbaImage image = renderer->render(settings);
        writer.add(to_rgb(image).data());
      }
      writer.finish();
    }
    const std::string out = png.empty() ? video : png;
    if (json) {
      nlohmann::json j{{"out", out}, {"frames", png.empty() ? frames : 1}, {"device", renderer->context().device_name()},
                       {"width", width}, {"height", height},
                       {"point_path", render::point_path_name(renderer->scene().point_path())}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("wrote %s (%dx%d, %s)\n", out.c_str(), width, height, renderer->context().device_name().c_str());
    }
  } catch (const render::RenderError& e) {
    throw Error(e.what());
  }
  return 0;
}
