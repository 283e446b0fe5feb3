// `xwam import`: recordings in other layouts into an X-WAM Studio episode file (atomic; nothing is
// written when any episode fails).
#include <cstdio>

#include "app/cli/Command.h"
#include "app/cli/Progress.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/importers/RoboTwinImporter.h"
#include "engine/data/importers/RobomimicImporter.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

using namespace xwam;

namespace {

// Collects episodes into the writer and keeps only the numbers the statistics need.
struct Collector {
  data::EpisodeFileWriter& writer;
  std::vector<data::Episode> numbers_only;
  void add(data::Episode&& ep) {
    writer.add(ep);
    data::Episode light;
    light.num_frames = ep.num_frames;
    light.states = std::move(ep.states);
    light.actions = std::move(ep.actions);
    numbers_only.push_back(std::move(light));
  }
};

data::ImportOptions import_options(cli::Args& args) {
  data::ImportOptions o;
  // --cameras is the documented name; --views stays accepted for scripts written against it.
  const std::string views = args.get("views", "");
  const std::string cams = args.get("cameras", views);
  std::stringstream list(cams);
  for (std::string name; std::getline(list, name, ',');)
    if (!name.empty()) o.cameras.push_back(name);
  o.depth_near_m = args.get_double("depth-near", 0.0);
  o.depth_far_m = args.get_double("depth-far", 0.0);
  o.depth_scale = args.get_double("depth-scale", o.depth_scale);
  o.flip_vertical = args.flag("flip-vertical");
  o.fps = args.get_double("fps", o.fps);
  o.warn = [](const std::string& message) { std::fprintf(stderr, "warning: %s\n", message.c_str()); };
  return o;
}

int import_robomimic(cli::Args& args, const std::vector<std::string>& inputs, const std::string& out) {
  const data::ImportOptions options = import_options(args);
  args.check_all_used();
  data::EpisodeFileWriter writer(out);
  Collector collect{writer, {}};
  // Every robomimic file numbers its demos from 0: with several files, names carry the file's stem.
  for (const auto& in : inputs) {
    const std::string stem = std::filesystem::path(in).stem().string();
    data::import_robomimic(in, options, [&](data::Episode&& ep) {
      if (inputs.size() > 1) ep.name = stem + "." + ep.name;
      collect.add(std::move(ep));
    }, cli::progress_printer());
  }
  writer.set_stats(data::NormStats::compute(collect.numbers_only));
  writer.commit();
  std::printf("imported %zu episodes to %s\n", collect.numbers_only.size(), out.c_str());
  return 0;
}

int import_robotwin(cli::Args& args, const std::vector<std::string>& inputs, const std::string& out) {
  const data::ImportOptions options = import_options(args);
  args.check_all_used();
  // A folder means every episode*.hdf5 in it (or in its data/ folder), in episode order.
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(in)) {
      files.push_back(in);
      continue;
    }
    const fs::path dir = fs::is_directory(fs::path(in) / "data") ? fs::path(in) / "data" : fs::path(in);
    std::vector<std::pair<int, std::string>> found;
    for (const auto& f : fs::directory_iterator(dir))
      if (f.path().extension() == ".hdf5" && f.path().stem().string().rfind("episode", 0) == 0)
        found.emplace_back(std::atoi(f.path().stem().string().c_str() + 7), f.path().string());
    std::sort(found.begin(), found.end());
    if (found.empty()) throw Error(in, "no episode*.hdf5 files");
    for (auto& [n, f] : found) files.push_back(f);
  }
  data::EpisodeFileWriter writer(out);
  Collector collect{writer, {}};
  const auto progress = cli::progress_printer();
  // Every task and setting numbers its episodes from 0: with repeated names, qualify them by the
  // folders above data/ (task.setting.episodeN).
  std::set<std::string> stems;
  for (const auto& f : files) stems.insert(std::filesystem::path(f).stem().string());
  const bool qualify = stems.size() < files.size();
  for (size_t i = 0; i < files.size(); ++i) {
    data::Episode ep = data::import_robotwin_episode(files[i], options);
    if (qualify) {
      const std::filesystem::path setting = std::filesystem::path(files[i]).parent_path().parent_path();
      ep.name = setting.parent_path().filename().string() + "." + setting.filename().string() + "." + ep.name;
    }
    collect.add(std::move(ep));
    progress({"import", static_cast<long long>(i + 1), static_cast<long long>(files.size()), files[i]});
  }
  writer.set_stats(data::NormStats::compute(collect.numbers_only));
  writer.commit();
  std::printf("imported %zu episodes to %s\n", files.size(), out.c_str());
  return 0;
}

int import_xwam(cli::Args& args, const std::string& in, const std::string& out) {
  const std::string stats_path = args.get("stats", "");
  const std::string cameras_path = args.get("cameras", "");
  args.check_all_used();
  const data::CameraCalibrations cameras =
      cameras_path.empty() ? data::CameraCalibrations{} : data::read_camera_calibrations(cameras_path);
  const auto keys = data::list_xwam_episodes(in);
  const auto progress = cli::progress_printer();
  data::EpisodeFileWriter writer(out);
  Collector collect{writer, {}};
  for (size_t i = 0; i < keys.size(); ++i) {
    collect.add(data::read_xwam_episode(in, keys[i], cameras));
    progress({"import", static_cast<long long>(i + 1), static_cast<long long>(keys.size()), keys[i]});
  }
  writer.set_stats(stats_path.empty() ? data::NormStats::compute(collect.numbers_only) : data::read_xwam_statistics(stats_path));
  writer.commit();
  std::printf("imported %zu episodes from %s to %s (statistics %s)\n", keys.size(), in.c_str(), out.c_str(),
              stats_path.empty() ? "computed" : stats_path.c_str());
  return 0;
}

}  // namespace

XWAM_COMMAND(import, "Import robomimic/RoboCasa, RoboTwin 2.0 or X-WAM-layout recordings into an episode file",
             "xwam import --format robomimic --in FILE.hdf5 [FILE ...] --out FILE.h5 [--cameras A,B]\n"
             "              [--depth-near M --depth-far M] [--flip-vertical] [--fps F]\n"
             "  xwam import --format robotwin --in EPISODE.hdf5|FOLDER [...] --out FILE.h5 [--cameras A,B]\n"
             "              [--depth-scale METRES_PER_UNIT (0.001)] [--fps F]\n"
             "  xwam import --format xwam --in DATASET_ROOT --out FILE.h5 [--stats CONFIG.yaml] [--cameras CAMERAS.json]\n"
             "  See docs/importers.md and docs/xwam-dataset.md.",
             {"flip-vertical"}) {
  const std::string format = args.require("format");
  const std::vector<std::string> inputs = args.list("in");
  if (inputs.empty()) throw Error("missing required option --in");
  const std::string out = args.require("out");
  if (format == "robomimic") return import_robomimic(args, inputs, out);
  if (format == "robotwin") return import_robotwin(args, inputs, out);
  if (format == "xwam") {
    if (inputs.size() != 1) throw Error("--format xwam takes one dataset root");
    return import_xwam(args, inputs[0], out);
  }
  throw Error("unknown import format '" + format + "' (expected robomimic, robotwin or xwam)");
}
