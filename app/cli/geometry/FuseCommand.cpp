// `xwam fuse`: recorded or predicted multi-view depth → a cloud directory (sequence.json + PLY per frame).
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "app/cli/geometry/FusionArgs.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/SequenceFusion.h"

namespace {
std::vector<int> frames_to_fuse(const xwam::cli::Args& args, const xwam::data::Episode& episode) {
  std::vector<int> frames;
  for (const auto& text : args.list("frames")) {
    char* end = nullptr;
    const long t = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0') throw xwam::Error("option --frames expects frame numbers, got '" + text + "'");
    frames.push_back(static_cast<int>(t));
  }
  const int every = static_cast<int>(args.get_int("every", 1));
  if (every < 1) throw xwam::Error("option --every must be at least 1");
  if (frames.empty())
    for (int t = 0; t < episode.num_frames; t += every) frames.push_back(t);
  return frames;
}
}  // namespace

XWAM_COMMAND(fuse, "Fuse recorded or predicted multi-view depth into an animated point cloud directory",
             std::string("xwam fuse --scene FILE.h5[:EPISODE] [--source recorded|ROLLOUT_DIR] --out DIR [--force] [--cameras NAME...]\n"
                         "          [--frames T...] [--every N] (recorded only) [--json]\n"
                         "  A rollout source also fuses the recorded frames it predicts and stores each predicted point's\n"
                         "  distance to the recorded cloud as the PLY 'error' property.") +
                 xwam::cli::kFusionUsage,
             {"json", "confidence", "force"}) {
  using namespace xwam;
  const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
  const std::string source = args.get("source", "recorded");
  const std::string out = args.require("out");
  const std::vector<std::string> cameras = args.list("cameras");
  const bool json = args.flag("json");
  const geometry::FusionOptions options = cli::fusion_options(args);
  const OutputOptions output{args.flag("force")};

  geometry::CloudSequence sequence;
  std::optional<OutputDir> target;  // made once the options are checked, before any fusion
  if (source == "recorded") {
    const data::Episode episode = data::read_episode(scene.file, scene.episode);
    const std::vector<int> frames = frames_to_fuse(args, episode);
    args.check_all_used();
    target.emplace(out, "clouds", output);
    sequence = geometry::fuse_recorded(episode, frames, options, cameras);
  } else {
    args.check_all_used();
    target.emplace(out, "clouds", output);
    const geometry::Rollout rollout = geometry::read_rollout(source);
    const data::Episode episode = data::read_episode(scene.file, scene.episode);
    geometry::check_rollout_episode(rollout, episode);
    // Per-point error against the recorded frames, when the episode has depth for the cameras used
    // (the clouds the studio's 3D view shows).
    sequence = *geometry::fuse_with_errors(episode, rollout, options, cameras).predicted;
  }
  geometry::write_cloud_directory(target->path(), sequence);
  const std::string moved = target->commit();
  if (!moved.empty()) std::fprintf(stderr, "[fuse] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());

  size_t points = 0;
  for (const auto& f : sequence.frames) points += f.size();
  if (json) {
    nlohmann::json j{{"out", out}, {"source", sequence.source}, {"frames", sequence.frames.size()}, {"points", points}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("wrote %zu %s frames (%zu points) to %s\n", sequence.frames.size(), sequence.source.c_str(), points,
                out.c_str());
  }
  return 0;
}
