// `xwam bench generate`: synthetic episode generation speed (frames/s, every view rendered) with the
// ray caster's culling (screen tiles + bounding-sphere early-outs) against brute force, same scenes.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam::data;

namespace {

struct Run {
  double seconds = 0;
  std::vector<Episode> episodes;
};

Run time_generation(const synthetic::GeneratorOptions& options, int episodes, uint64_t seed) {
  Run run;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < episodes; ++i) run.episodes.push_back(synthetic::generate_episode(options, seed + i));
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

bool same_pixels(const Run& a, const Run& b) {
  for (size_t i = 0; i < a.episodes.size(); ++i)
    if (a.episodes[i].rgb != b.episodes[i].rgb || a.episodes[i].depth != b.episodes[i].depth) return false;
  return true;
}

}  // namespace

XWAM_BENCH(generate, "Synthetic scene generation speed: frames/s with vs without ray-cast culling",
           "xwam bench generate [--json] [--width 320 --height 240] [--frames 32] [--episodes 2] [--arms 1]\n"
           "                    [--threads K] [--seed S]",
           {"json"}) {
  args.flag("json");  // output is always JSON; the flag is accepted for symmetry with other benches
  synthetic::GeneratorOptions options;
  options.width = static_cast<int>(args.get_int("width", 320));
  options.height = static_cast<int>(args.get_int("height", 240));
  options.frames = static_cast<int>(args.get_int("frames", 32));
  options.arms = static_cast<int>(args.get_int("arms", 1));
  options.render.threads = static_cast<int>(args.get_int("threads", 0));
  const int episodes = static_cast<int>(args.get_int("episodes", 2));
  const uint64_t seed = static_cast<uint64_t>(args.get_int("seed", 1));
  args.check_all_used();
  if (episodes < 1) throw xwam::Error("option --episodes needs a positive count");
  options.validate();

  synthetic::GeneratorOptions baseline = options;
  baseline.render.culling = false;
  // Warm-up (page faults, thread start-up), then the measured runs on identical scenes.
  synthetic::generate_episode(options, seed);
  const Run culled = time_generation(options, episodes, seed);
  const Run brute = time_generation(baseline, episodes, seed);

  const double frames = static_cast<double>(episodes) * options.frames;
  const int views = static_cast<int>(culled.episodes.front().cameras.size());
  const unsigned threads =
      options.render.threads > 0 ? static_cast<unsigned>(options.render.threads) : std::thread::hardware_concurrency();
  const nlohmann::json result = {
      {"bench", "generate"},
      {"width", options.width},
      {"height", options.height},
      {"views", views},
      {"frames_per_episode", options.frames},
      {"episodes", episodes},
      {"threads", threads},
      {"culling",
       {{"seconds", culled.seconds},
        {"frames_per_s", frames / culled.seconds},
        {"views_per_s", frames * views / culled.seconds}}},
      {"baseline_no_culling",
       {{"seconds", brute.seconds},
        {"frames_per_s", frames / brute.seconds},
        {"views_per_s", frames * views / brute.seconds}}},
      {"speedup", brute.seconds / culled.seconds},
      {"identical_output", same_pixels(culled, brute)},
  };
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}
