// `xwam export --format xwam`: episodes of an episode file written in the released X-WAM dataset
// layout, so data recorded, generated or edited here feeds the released trainer unchanged.
#include <cstdio>
#include <sstream>

#include "app/cli/Command.h"
#include "app/cli/Progress.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/XWamDataset.h"

using namespace xwam;

namespace {

// "FILE.h5" (all episodes) or "FILE.h5:0,2-4".
std::pair<std::string, std::vector<int>> parse_selection(const std::string& text) {
  std::string file = text;
  std::vector<int> picked;
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && colon + 1 < text.size() &&
      text.find_first_not_of("0123456789,-", colon + 1) == std::string::npos) {
    file = text.substr(0, colon);
    std::stringstream list(text.substr(colon + 1));
    for (std::string part; std::getline(list, part, ',');) {
      const auto dash = part.find('-');
      const int lo = std::stoi(part.substr(0, dash));
      const int hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 1));
      for (int i = lo; i <= hi; ++i) picked.push_back(i);
    }
  }
  return {file, picked};
}

// The episode with only the named cameras, in the given order; refuses a name the episode lacks.
data::Episode keep_cameras(data::Episode ep, const std::vector<std::string>& names, const std::string& file) {
  data::Episode out = ep;
  out.cameras.clear(), out.rgb.clear(), out.depth.clear(), out.depth_code.clear();
  for (const auto& name : names) {
    const int c = ep.camera_index(name);
    if (c < 0) throw Error(file, "episode " + ep.name, "no camera '" + name + "' (--cameras)");
    out.cameras.push_back(ep.cameras[c]);
    out.rgb.push_back(std::move(ep.rgb[c]));
    out.depth.push_back(c < static_cast<int>(ep.depth.size()) ? std::move(ep.depth[c]) : std::vector<float>{});
    out.depth_code.push_back(c < static_cast<int>(ep.depth_code.size()) ? std::move(ep.depth_code[c]) : std::vector<uint8_t>{});
  }
  return out;
}

}  // namespace

XWAM_COMMAND(export, "Write episodes in the released X-WAM dataset layout (mp4 + JSON + statistics YAML)",
             "xwam export --format xwam --scene FILE.h5[:EPISODES] --out DATASET_ROOT [--cameras A,B] [--quality 0.95]\n"
             "  [--force]\n"
             "  EPISODES: e.g. 0,2-4 (default: all); --cameras: only these (every exported camera needs depth,\n"
             "  metric or encoded: the released loader refuses a view without depth_path).\n"
             "  Writes metadata.json, data/chunk-*/episode_*.json,\n"
             "  video/ and depth/ mp4s, statistics.yaml and CAMERAS.json (see docs/xwam-dataset.md). DATASET_ROOT\n"
             "  appears whole; it is replaced only when empty or written by `xwam export`; --force moves any other\n"
             "  DATASET_ROOT aside to DATASET_ROOT.old-N (nothing is deleted).",
             {"force"}) {
  const std::string format = args.require("format");
  const std::string scene = args.require("scene");
  const std::string out = args.require("out");
  data::XWamExportOptions options;
  options.video_quality = args.get_double("quality", options.video_quality);
  std::vector<std::string> cameras;
  std::stringstream camera_list(args.get("cameras", ""));
  for (std::string name; std::getline(camera_list, name, ',');)
    if (!name.empty()) cameras.push_back(name);
  const OutputOptions output{args.flag("force")};
  args.check_all_used();
  if (format != "xwam") throw Error("unknown export format '" + format + "' (expected xwam)");
  OutputDir target(out, "xwam-dataset", output);

  auto [file, picked] = parse_selection(scene);
  data::EpisodeFileReader reader(file);
  if (picked.empty())
    for (int i = 0; i < reader.num_episodes(); ++i) picked.push_back(i);
  std::vector<data::Episode> episodes;
  for (int i : picked) {
    if (i < 0 || i >= reader.num_episodes())
      throw Error(file, "episode " + std::to_string(i) + " out of range (" + std::to_string(reader.num_episodes()) + " episodes)");
    episodes.push_back(cameras.empty() ? reader.read(i) : keep_cameras(reader.read(i), cameras, file));
  }
  // The statistics stored with the file describe the whole file; recompute for a subset.
  const data::NormStats stats = picked.size() == static_cast<size_t>(reader.num_episodes()) && reader.stats()
                                    ? *reader.stats()
                                    : data::NormStats::compute(episodes);
  data::export_xwam_dataset(episodes, stats, target.path(), options, cli::progress_printer());
  const std::string moved = target.commit();
  if (!moved.empty()) std::fprintf(stderr, "[export] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  std::printf("exported %zu episodes to %s\n", episodes.size(), out.c_str());
  return 0;
}
