// `xwam rollout`: action-first asynchronous denoising from one episode frame. Prints the action chunk
// the moment it is final, then video progress; writes the rollout directory (docs/rollout-format.md)
// plus rollout.json with the request and timings, and optionally a predicted-vs-recorded mp4.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "app/cli/StopSignal.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/core/RegularFile.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/ImageResize.h"
#include "engine/data/VideoWriter.h"
#include "engine/model/MemoryPlan.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/Rollout.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// K × 14 actions from a CSV as `rollout` writes it (frame_index, v0..v13; header row).
std::vector<float> read_actions_csv(const std::string& path) {
  regular_file_size(path, "actions file");  // a FIFO would block the read
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open the actions file");
  std::vector<float> values;
  std::string line;
  std::getline(in, line);  // header
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');  // frame index
    int n = 0;
    while (std::getline(ss, cell, ',')) {
      try {
        values.push_back(std::stof(cell));
      } catch (const std::exception&) {
        throw Error(path, "row " + std::to_string(row), quoted_value(cell, 32) + " is not a number");
      }
      if (!std::isfinite(values.back()))
        throw Error(path, "row " + std::to_string(row) + " value " + std::to_string(n), "is not a finite number");
      ++n;
    }
    if (n != data::kActionDim) throw Error(path, "row " + std::to_string(row), "has " + std::to_string(n) + " values, not 14");
  }
  return values;
}

// Predicted (top) over recorded (bottom) frames, views side by side, at the model's resolution.
void write_comparison_video(const std::string& path, const geometry::Rollout& ro, const data::Episode& ep, double fps) {
  if (ro.views.empty()) throw Error(path, "this rollout has no predicted video (fastwam mode)");
  const int w = ro.views[0].width, h = ro.views[0].height, V = static_cast<int>(ro.views.size());
  const int W = (w * V + 1) / 2 * 2, H = 2 * h;
  data::VideoOptions options;
  options.fps = fps;
  data::VideoWriter writer(path, W, H, options);
  std::vector<uint8_t> canvas(static_cast<size_t>(W) * H * 3), recorded(static_cast<size_t>(w) * h * 3);
  std::vector<float> unit(static_cast<size_t>(w) * h * 3);
  for (int k = 0; k < ro.num_frames(); ++k) {
    std::fill(canvas.begin(), canvas.end(), 0);
    for (int v = 0; v < V; ++v) {
      const auto& view = ro.views[v];
      const int c = ep.camera_index(view.camera), t = ro.frame_indices[k] - ep.first_frame;
      const bool have_recorded = c >= 0 && t >= 0 && t < ep.num_frames;
      if (have_recorded) {
        const auto& cam = ep.cameras[c];
        data::resize_rgb_to_unit(ep.rgb_frame(c, t), cam.width, cam.height, {}, w, h, unit.data());
        for (size_t i = 0; i < unit.size(); ++i) recorded[i] = static_cast<uint8_t>(std::lround((unit[i] + 1) * 127.5f));
      }
      for (int y = 0; y < h; ++y) {
        std::memcpy(&canvas[(static_cast<size_t>(y) * W + v * w) * 3], view.rgb_frame(k) + static_cast<size_t>(y) * w * 3, w * 3);
        if (have_recorded)
          std::memcpy(&canvas[(static_cast<size_t>(y + h) * W + v * w) * 3], &recorded[static_cast<size_t>(y) * w * 3], w * 3);
      }
    }
    writer.add(canvas.data());
  }
  writer.finish();
}

}  // namespace

XWAM_COMMAND(rollout, "Predict actions, states, RGB and depth from an episode frame (action first)",
             "xwam rollout --checkpoint CKPT --scene FILE.h5[:EPISODE] --out DIR [--instruction TEXT]\n"
             "             [--mode xwam|sync|fastwam|action-conditioned] [--steps-action 10] [--steps-video 50]\n"
             "             [--start-frame N] [--seed S] [--guidance G] [--solver unipc|euler] [--actions FILE.csv]\n"
             "             [--video OUT.mp4] [--threads N] [--device cpu|cuda[:N]] [--dtype bfloat16|float16|float32]\n"
             "             [--wan-dir DIR] [--force] [--json]\n"
             "  --dtype: the network's weights (default bfloat16 on CUDA, float32 on the CPU; docs/model.md).\n"
             "  CKPT: our checkpoint directory, a training run, or a released X-WAM run/.pt file.\n"
             "  --wan-dir: the Wan2.2-TI2V-5B folder, where the umT5 tokenizer a released run lacks is found.\n"
             "  --actions: the K × 14 actions to imagine the consequence of (action-conditioned), CSV as written here.\n"
             "  DIR gets rgb/, depth/, states.csv, actions.csv, manifest.json and rollout.json (request + timings).\n"
             "  DIR appears whole or not at all. It is replaced only when it is empty or a rollout xwam wrote;\n"
             "  --force moves any other DIR aside to DIR.old-N (nothing is deleted).",
             {"json", "force"}) {
  const std::string checkpoint = args.require("checkpoint");
  const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
  const std::string out = args.require("out");
  pipeline::RolloutRequest req;
  req.instruction = args.get("instruction", "");
  req.mode = args.get("mode", "xwam");
  req.steps_action = static_cast<int>(args.get_int("steps-action", 10));
  req.steps_video = static_cast<int>(args.get_int("steps-video", 50));
  req.start_frame = static_cast<int>(args.get_int("start-frame", 0));
  req.seed = static_cast<uint64_t>(args.get_int("seed", 0));
  req.guidance_scale = args.get_double("guidance", 1.0);
  req.solver = args.get("solver", "unipc");
  const std::string actions_csv = args.get("actions", "");
  const std::string video = args.get("video", "");
  const int threads = static_cast<int>(args.get_int("threads", 0));
  const torch::Device device = pipeline::parse_device(args.get("device", "cpu"));
  const torch::ScalarType dtype = pipeline::parse_dtype(args.get("dtype", ""), device);
  const std::string wan_dir = args.get("wan-dir", "");
  const bool json_out = args.flag("json");
  const OutputOptions output{args.flag("force")};
  args.check_all_used();
  OutputDir target(out, "rollout", output);  // refused before the model loads if it holds a user's files
  if (threads > 0) torch::set_num_threads(threads);
  if (!actions_csv.empty()) req.given_actions = read_actions_csv(actions_csv);

  // Everything is checked before any compute: checkpoint, episode, cameras, request.
  std::fprintf(stderr, "[rollout] loading %s on %s (%s)\n", checkpoint.c_str(), device.str().c_str(),
               model::dtype_name(dtype).c_str());
  pipeline::Predictor predictor = pipeline::Predictor::load(checkpoint, device, wan_dir, dtype);
  const data::Episode episode = data::read_episode(scene.file, scene.episode);
  predictor.check(episode, req);

  const CancelToken* stop = cli::cancel_on_stop_signals();
  pipeline::RolloutEvents ev;
  ev.on_stage = [](const std::string& stage) { std::fprintf(stderr, "[rollout] %s\n", stage.c_str()); };
  ev.on_action_ready = [&](const pipeline::ActionChunk& chunk) {
    std::fprintf(stderr, "[rollout] action chunk ready after %.1f ms (%zu actions)\n", chunk.latency_ms,
                 chunk.actions.size() / data::kActionDim);
  };
  ev.on_video_step = [](int step, int steps, double ms) {
    std::fprintf(stderr, "[rollout] video step %d/%d (%.0f ms)\n", step, steps, ms);
  };
  ev.on_frame_decoded = [](int view, int views) { std::fprintf(stderr, "[rollout] decoded view %d/%d\n", view, views); };

  pipeline::RolloutResult result;
  try {
    result = predictor.run(episode, req, ev, stop);
  } catch (const Cancelled&) {
    std::fprintf(stderr, "[rollout] cancelled; nothing written\n");
    return 130;
  }
  result.rollout.scene = scene.file;
  result.rollout.episode = scene.episode;

  geometry::write_rollout(target.path(), result.rollout);
  const auto& t = result.timings;
  nlohmann::json summary = {
      {"checkpoint", predictor.origin()}, {"scene", scene.file}, {"episode", scene.episode},
      {"episode_name", episode.name}, {"instruction", req.instruction.empty() ? episode.instruction : req.instruction},
      {"mode", req.mode}, {"steps_action", req.steps_action}, {"steps_video", req.steps_video}, {"seed", req.seed},
      {"solver", req.solver}, {"guidance_scale", req.guidance_scale}, {"start_frame", result.rollout.start_frame},
      {"device", device.str()}, {"dtype", model::dtype_name(dtype)}, {"threads", torch::get_num_threads()},
      {"timings_ms", {{"encode", t.encode_ms}, {"action", t.action_ms}, {"video", t.video_ms}, {"decode", t.decode_ms},
                      {"total", t.total_ms}}},
      {"network_calls", t.network_calls}};
  std::ofstream summary_file(fs::path(target.path()) / "rollout.json");
  summary_file << summary.dump(2) << "\n";
  if (!summary_file.flush()) throw Error(out + "/rollout.json", "cannot write (disk full?)");
  const std::string moved = target.commit();
  if (!moved.empty()) std::fprintf(stderr, "[rollout] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  if (!video.empty()) {
    write_comparison_video(video, result.rollout, episode, episode.fps / predictor.config().actions_per_frame);
    std::fprintf(stderr, "[rollout] wrote %s (predicted over recorded)\n", video.c_str());
  }
  if (json_out) std::printf("%s\n", summary.dump(2).c_str());
  std::fprintf(stderr, "[rollout] wrote %s: action after %.1f ms, video after %.1f ms, total %.1f ms\n", out.c_str(),
               t.action_ms, t.video_ms, t.total_ms);
  return 0;
}
