// `xwam rollout`: action-first asynchronous denoising from one episode frame. Prints the action chunk
// the moment it is final, then video progress; writes the rollout directory (docs/rollout-format.md)
// plus rollout.json with the request and timings, and optionally the comparison mp4 (the same as the
// studio's and `xwam compare --video`). A thin front over the engine façade (engine/pipeline/api/Engine.h).
#include <cstdio>

#include "app/cli/Command.h"
#include "app/cli/StopSignal.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/ComparisonImages.h"
#include "engine/pipeline/api/Engine.h"

using namespace xwam;

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
  req.mode = pipeline::parse_mode(args.get("mode", "xwam"));
  req.steps_action = static_cast<int>(args.get_int("steps-action", 10));
  req.steps_video = static_cast<int>(args.get_int("steps-video", 50));
  req.start_frame = static_cast<int>(args.get_int("start-frame", 0));
  req.seed = static_cast<uint64_t>(args.get_int("seed", 0));
  req.guidance_scale = args.get_double("guidance", 1.0);
  req.solver = pipeline::parse_solver(args.get("solver", "unipc"));
  const std::string actions_csv = args.get("actions", "");
  const std::string video = args.get("video", "");
  const int threads = static_cast<int>(args.get_int("threads", 0));
  pipeline::EngineOptions engine_options;
  engine_options.checkpoint = checkpoint;
  engine_options.device = pipeline::device_from_name(args.get("device", "cpu"));
  engine_options.dtype = pipeline::dtype_from_name(args.get("dtype", ""));
  engine_options.wan_dir = args.get("wan-dir", "");
  const bool json_out = args.flag("json");
  const OutputOptions output{args.flag("force")};
  args.check_all_used();
  { OutputDir probe(out, "rollout", output); }  // refused before the model loads if it holds a user's files
  pipeline::set_compute_threads(threads);
  if (!actions_csv.empty()) req.given_actions = geometry::read_actions_csv(actions_csv);

  // Everything is checked before any compute: checkpoint, episode, cameras, request.
  std::fprintf(stderr, "[rollout] loading %s on %s\n", checkpoint.c_str(), engine_options.device.name().c_str());
  pipeline::Engine engine = pipeline::Engine::load(engine_options);
  const data::Episode episode = data::read_episode(scene.file, scene.episode);
  engine.check(episode, req);

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
  ev.on_frames_decoded = [](const pipeline::DecodedFrames& f) {
    std::fprintf(stderr, "[rollout] decoded latent frame %d/%d: frames %d-%d of %d (%zu views)\n", f.latent_frame,
                 f.latent_frames, f.first + 1, f.first + f.count, f.frames, f.views.size());
  };

  pipeline::RolloutResult result;
  try {
    result = engine.run(episode, req, ev, stop);
  } catch (const Cancelled&) {
    std::fprintf(stderr, "[rollout] cancelled; nothing written\n");
    return 130;
  }
  result.rollout.scene = scene.file;
  result.rollout.episode = scene.episode;
  const pipeline::RolloutProvenance provenance = engine.provenance(episode, req);
  const std::string moved = pipeline::save_rollout(out, result, req, provenance, output);
  if (!moved.empty()) std::fprintf(stderr, "[rollout] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  if (!video.empty()) {
    geometry::write_comparison_video(video, episode, result.rollout, geometry::real_time_fps(episode, result.rollout));
    std::fprintf(stderr, "[rollout] wrote %s (recorded | predicted | depth | depth error, per view)\n", video.c_str());
  }
  if (json_out) std::printf("%s\n", pipeline::rollout_record_json(req, result, provenance).c_str());
  const auto& t = result.timings;
  std::fprintf(stderr, "[rollout] wrote %s: action after %.1f ms, video after %.1f ms, total %.1f ms\n", out.c_str(),
               t.action_ms, t.video_ms, t.total_ms);
  return 0;
}
