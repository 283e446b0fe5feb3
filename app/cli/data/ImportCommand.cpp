// `xwam import`: recordings in other layouts into an X-WAM Studio episode file (atomic; nothing is
// written when any episode fails).
#include <cstdio>

#include "app/cli/Command.h"
#include "app/cli/Progress.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/XWamDataset.h"

using namespace xwam;

namespace {

int import_xwam(cli::Args& args, const std::string& in, const std::string& out) {
  const std::string stats_path = args.get("stats", "");
  const std::string cameras_path = args.get("cameras", "");
  args.check_all_used();
  const data::CameraCalibrations cameras =
      cameras_path.empty() ? data::CameraCalibrations{} : data::read_camera_calibrations(cameras_path);
  const auto keys = data::list_xwam_episodes(in);
  const auto progress = cli::progress_printer();
  data::EpisodeFileWriter writer(out);
  std::vector<data::Episode> numbers_only;  // states/actions/masks for the statistics; no pixels kept
  for (size_t i = 0; i < keys.size(); ++i) {
    data::Episode ep = data::read_xwam_episode(in, keys[i], cameras);
    writer.add(ep);
    data::Episode light;
    light.num_frames = ep.num_frames;
    light.states = std::move(ep.states);
    light.actions = std::move(ep.actions);
    numbers_only.push_back(std::move(light));
    progress({"import", static_cast<long long>(i + 1), static_cast<long long>(keys.size()), keys[i]});
  }
  writer.set_stats(stats_path.empty() ? data::NormStats::compute(numbers_only) : data::read_xwam_statistics(stats_path));
  writer.commit();
  std::printf("imported %zu episodes from %s to %s (statistics %s)\n", keys.size(), in.c_str(), out.c_str(),
              stats_path.empty() ? "computed" : stats_path.c_str());
  return 0;
}

}  // namespace

XWAM_COMMAND(import, "Import recordings (X-WAM dataset layout) into an episode file",
             "xwam import --format xwam --in DATASET_ROOT [--stats CONFIG.yaml] [--cameras CAMERAS.json] --out FILE.h5\n"
             "  --stats: a dataset config or statistics YAML (q01/q99 per released key); default: computed.\n"
             "  --cameras: calibration sidecar (docs/xwam-dataset.md); without it fusion refuses per camera.",
             {}) {
  const std::string format = args.require("format");
  const std::string in = args.require("in");
  const std::string out = args.require("out");
  if (format == "xwam") return import_xwam(args, in, out);
  throw Error("unknown import format '" + format + "' (expected xwam)");
}
