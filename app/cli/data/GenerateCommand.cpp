// `xwam generate`: synthetic tabletop episodes (multi-view RGB-D, expert states and actions, exact
// ground truth) written to an episode file with their normalization statistics.
#include <csignal>
#include <cstdio>
#include <map>
#include <string>

#include "app/cli/Command.h"
#include "app/cli/Progress.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/NormStats.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam::data;

namespace {

// Ctrl-C asks the generator to stop at the next frame; the output file is then never created.
xwam::CancelToken g_cancel;
extern "C" void request_cancel(int) { g_cancel.cancel(); }

uint64_t parse_seed(const std::string& text) {
  size_t used = 0;
  unsigned long long seed = 0;
  try {
    seed = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || text[0] == '-')
    throw xwam::Error("option --seed expects a non-negative integer, got '" + text + "'");
  return seed;
}

// States, actions and masks only: what the statistics need, without the pixels.
Episode motion_of(const Episode& ep) {
  Episode m;
  m.name = ep.name;
  m.num_frames = ep.num_frames;
  m.states = ep.states;
  m.actions = ep.actions;
  m.state_mask = ep.state_mask;
  m.action_mask = ep.action_mask;
  return m;
}

}  // namespace

XWAM_COMMAND(generate, "Generate synthetic tabletop episodes (multi-view RGB-D, expert states and actions)",
             "xwam generate [--task pick_place|push|lift|stack] --episodes N --seed S [--width W --height H]\n"
             "              [--frames T] [--fps F] [--arms 1|2] [--threads K] --out FILE.h5\n"
             "  Without --task each episode draws its task family. Defaults: 128x96, 64 frames, 10 fps, 1 arm.\n"
             "  Views: main, side, wrist0 (+ wrist1 with two arms); depth is metric z-depth.",
             {}) {
  synthetic::GeneratorOptions options;
  options.task = args.get("task", "");
  const long long episodes = args.get_int("episodes", -1);
  const uint64_t seed = parse_seed(args.require("seed"));
  options.width = static_cast<int>(args.get_int("width", options.width));
  options.height = static_cast<int>(args.get_int("height", options.height));
  options.frames = static_cast<int>(args.get_int("frames", options.frames));
  options.fps = args.get_double("fps", options.fps);
  options.arms = static_cast<int>(args.get_int("arms", options.arms));
  options.render.threads = static_cast<int>(args.get_int("threads", 0));
  const std::string out = args.require("out");
  args.check_all_used();
  if (episodes < 1) throw xwam::Error("option --episodes needs a positive count");
  options.validate();

  std::signal(SIGINT, request_cancel);
  const auto progress = xwam::cli::progress_printer();
  EpisodeFileWriter writer(out);
  std::vector<Episode> motion;
  std::map<std::string, int> per_task;
  synthetic::generate_episodes(
      options, static_cast<int>(episodes), seed,
      [&](Episode&& ep) {
        writer.add(ep);
        ++per_task[ep.task];
        motion.push_back(motion_of(ep));
      },
      progress, &g_cancel);
  xwam::throw_if_cancelled(&g_cancel);

  progress({"write", 0, 1, "statistics and commit"});
  writer.set_stats(NormStats::compute(motion));
  writer.commit();
  progress({"write", 1, 1, out});

  std::string tasks;
  for (const auto& [task, count] : per_task) tasks += (tasks.empty() ? "" : ", ") + task + " " + std::to_string(count);
  std::printf("wrote %lld episodes (%s) of %d frames at %dx%d to %s\n", episodes, tasks.c_str(), options.frames,
              options.width, options.height, out.c_str());
  return 0;
}
