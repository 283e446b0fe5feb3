// `xwam inspect`: what an episode file holds — episodes, frames, cameras with calibration,
// modalities and the stored normalization statistics — as text or JSON.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/data/EpisodeFile.h"

using nlohmann::json;
using namespace xwam::data;

namespace {

json matrix_json(const Eigen::Matrix4d& m) {
  json rows = json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m(r, 0), m(r, 1), m(r, 2), m(r, 3)});
  return rows;
}

json camera_json(const CameraInfo& cam) {
  json j = {{"name", cam.name}, {"width", cam.width}, {"height", cam.height}, {"mount", to_string(cam.mount)},
            {"has_depth", cam.has_depth}, {"depth", cam.has_depth ? "metric" : cam.depth_encoded ? "encoded" : "none"},
            {"calibrated", cam.calibrated()}};
  if (cam.mount == CameraMount::Wrist) j["arm"] = cam.arm;
  if (cam.intrinsics) j["intrinsics"] = {{"fx", cam.intrinsics->fx}, {"fy", cam.intrinsics->fy},
                                         {"cx", cam.intrinsics->cx}, {"cy", cam.intrinsics->cy}};
  if (cam.T_world_cam) j["T_world_cam"] = matrix_json(*cam.T_world_cam);
  if (cam.T_ee_cam) j["T_ee_cam"] = matrix_json(*cam.T_ee_cam);
  return j;
}

template <size_t N>
int count_on(const std::array<uint8_t, N>& mask) {
  int n = 0;
  for (auto m : mask) n += m != 0;
  return n;
}

}  // namespace

XWAM_COMMAND(inspect, "List episodes, cameras, calibration, modalities and statistics of an episode file",
             "xwam inspect FILE.h5 [--json]", {"json"}) {
  const std::string path = args.positional(0, "FILE.h5");
  const bool as_json = args.flag("json");
  args.check_all_used();

  EpisodeFileReader reader(path);
  json out = {{"file", path}, {"schema_version", kEpisodeSchemaVersion}, {"episodes", json::array()}};
  long long total_frames = 0;
  for (int i = 0; i < reader.num_episodes(); ++i) {
    EpisodeSummary s = reader.summary(i);
    total_frames += s.num_frames;
    json ep = {{"index", i}, {"name", s.name}, {"instruction", s.instruction}, {"task", s.task}, {"fps", s.fps},
               {"frames", s.num_frames}, {"cameras", json::array()}};
    ep["success"] = s.success ? json(*s.success) : json(nullptr);
    bool any_depth = false, all_calibrated = true;
    for (const auto& cam : s.cameras) {
      ep["cameras"].push_back(camera_json(cam));
      any_depth |= cam.has_depth || cam.depth_encoded;
      all_calibrated &= cam.calibrated();
    }
    ep["modalities"] = {{"rgb", true}, {"depth", any_depth}, {"calibration", all_calibrated},
                        {"state_dims", count_on(s.state_mask)}, {"action_dims", count_on(s.action_mask)},
                        {"state_mask", s.state_mask}, {"action_mask", s.action_mask}};
    ep["source_keys"] = s.source_keys;
    out["episodes"].push_back(ep);
  }
  out["num_episodes"] = reader.num_episodes();
  out["total_frames"] = total_frames;
  if (auto stats = reader.stats()) {
    out["stats"] = {{"num_samples", stats->num_samples}, {"state_q01", stats->state_q01}, {"state_q99", stats->state_q99},
                    {"action_q01", stats->action_q01}, {"action_q99", stats->action_q99}};
  } else {
    out["stats"] = nullptr;
  }

  if (as_json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s: %d episodes, %lld frames\n", path.c_str(), reader.num_episodes(), total_frames);
  for (const auto& ep : out["episodes"]) {
    std::printf("\n[%d] %s  (%d frames @ %.1f fps, task %s, success %s)\n    \"%s\"\n", ep["index"].get<int>(),
                ep["name"].get<std::string>().c_str(), ep["frames"].get<int>(), ep["fps"].get<double>(),
                ep["task"].get<std::string>().empty() ? "-" : ep["task"].get<std::string>().c_str(),
                ep["success"].is_null() ? "unknown" : (ep["success"].get<bool>() ? "yes" : "no"),
                ep["instruction"].get<std::string>().c_str());
    std::printf("    states %d/16 dims, actions %d/14 dims\n", ep["modalities"]["state_dims"].get<int>(),
                ep["modalities"]["action_dims"].get<int>());
    for (const auto& cam : ep["cameras"]) {
      const std::string depth = cam["depth"].get<std::string>();
      std::printf("    camera %-24s %4dx%-4d %-5s depth: %s", cam["name"].get<std::string>().c_str(),
                  cam["width"].get<int>(), cam["height"].get<int>(), cam["mount"].get<std::string>().c_str(),
                  depth == "encoded" ? "encoded, no metric mapping" : depth.c_str());
      if (cam.contains("intrinsics"))
        std::printf(" fx=%.2f fy=%.2f cx=%.2f cy=%.2f", cam["intrinsics"]["fx"].get<double>(),
                    cam["intrinsics"]["fy"].get<double>(), cam["intrinsics"]["cx"].get<double>(),
                    cam["intrinsics"]["cy"].get<double>());
      std::printf("%s\n", cam["calibrated"].get<bool>() ? "" : "  (no calibration)");
    }
    if (!ep["source_keys"].empty()) std::printf("    source arrays: %s\n", ep["source_keys"].dump().c_str());
  }
  std::printf("\nnormalization statistics: %s\n",
              out["stats"].is_null() ? "none stored" : ("over " + std::to_string(out["stats"]["num_samples"].get<long long>()) + " frames").c_str());
  return 0;
}
