// `xwam bench generate`: synthetic episode generation speed (frames/s, every view rendered) with the
// ray caster's culling (screen tiles + bounding-sphere early-outs) against brute force, same scenes.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "engine/core/Error.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam::data;

namespace {

// `episodes` episodes from consecutive seeds: the unit of work each timed run does.
std::vector<Episode> generate(const synthetic::GeneratorOptions& options, int episodes, uint64_t seed) {
  std::vector<Episode> out;
  for (int i = 0; i < episodes; ++i) out.push_back(synthetic::generate_episode(options, seed + i));
  return out;
}

bool same_pixels(const std::vector<Episode>& a, const std::vector<Episode>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].rgb != b[i].rgb || a[i].depth != b[i].depth) return false;
  return true;
}

}  // namespace

XWAM_BENCH(generate, "Synthetic scene generation speed: frames/s with vs without ray-cast culling",
           "xwam bench generate [--json] [--width 320 --height 240] [--frames 32] [--episodes 2] [--arms 1]\n"
           "                    [--threads K] [--seed S] [--repeats 3] [--warmup 1]",
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
  const xwam::bench::TimingOptions timing = xwam::bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
  args.check_all_used();
  if (episodes < 1) throw xwam::Error("option --episodes needs a positive count");
  options.validate();

  synthetic::GeneratorOptions baseline = options;
  baseline.render.culling = false;
  // Identical scenes for both; warm-up runs take page faults and thread start-up.
  std::vector<Episode> culled, brute;
  const xwam::bench::Timing culled_ms = xwam::bench::time_runs(timing, [&] { culled = generate(options, episodes, seed); });
  const xwam::bench::Timing brute_ms = xwam::bench::time_runs(timing, [&] { brute = generate(baseline, episodes, seed); });

  const double frames = static_cast<double>(episodes) * options.frames;
  const int views = static_cast<int>(culled.front().cameras.size());
  const unsigned threads =
      options.render.threads > 0 ? static_cast<unsigned>(options.render.threads) : std::thread::hardware_concurrency();
  const auto rates = [&](const xwam::bench::Timing& t) {
    const double seconds = t.median_ms / 1e3;
    return nlohmann::json{{"ms", t.to_json()}, {"frames_per_s", frames / seconds}, {"views_per_s", frames * views / seconds}};
  };
  const nlohmann::json result = {
      {"benchmark", "generate"},
      {"width", options.width},
      {"height", options.height},
      {"views", views},
      {"frames_per_episode", options.frames},
      {"episodes", episodes},
      {"threads", threads},
      {"warmup", timing.warmup},
      {"repeats", timing.repeats},
      {"culling", rates(culled_ms)},
      {"baseline", "no_culling"},
      {"baseline_no_culling", rates(brute_ms)},
      {"speedup", brute_ms.median_ms / culled_ms.median_ms},
      {"identical_output", same_pixels(culled, brute)},
  };
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}
