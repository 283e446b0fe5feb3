// `xwam session`: Studio sessions on the command line — create one (a scene, its settings and a rollout
// kept beside it) that the studio opens, or show one with the metrics the studio shows on reopening.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "app/session/Session.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"

using namespace xwam;

XWAM_COMMAND(session, "Create a Studio session file, or show one with its rollout's metrics",
             "xwam session create --scene FILE.h5[:EPISODE] --out SESSION.json [--rollout DIR] [--frame N]\n"
             "             [--instruction TEXT] [--checkpoint CKPT] [--mode xwam|sync|fastwam|action-conditioned]\n"
             "             [--steps-action 10] [--steps-video 50] [--seed S] [--start-frame N] [--force]\n"
             "xwam session show SESSION.json [--json]\n"
             "  create: the rollout is copied beside the session (SESSION.rollout), as the studio saves it;\n"
             "  an existing SESSION.json is replaced only with --force.\n"
             "  show: the session's settings and, with a rollout, its metrics against the recording.",
             {"json", "force"}) {
  const std::string verb = args.positional(0, "create|show");
  if (verb == "create") {
    const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
    const std::string out = args.require("out");
    session::Session s;
    s.scene = scene.file;
    s.episode = scene.episode;
    s.frame = static_cast<int>(args.get_int("frame", 0));
    s.instruction = args.get("instruction", "");
    s.checkpoint = args.get("checkpoint", "");
    s.mode = args.get("mode", "xwam");
    s.steps_action = static_cast<int>(args.get_int("steps-action", 10));
    s.steps_video = static_cast<int>(args.get_int("steps-video", 50));
    s.seed = static_cast<uint64_t>(args.get_int("seed", 0));
    s.start_frame = static_cast<int>(args.get_int("start-frame", 0));
    const std::string rollout_dir = args.get("rollout", "");
    const OutputOptions output{args.flag("force")};
    args.check_all_used();
    if (std::filesystem::exists(out) && !output.force) throw Error(out, "exists; pass --force to replace it");
    const data::Episode episode = data::read_episode(scene.file, scene.episode);  // the scene must open
    if (s.frame < 0 || s.frame >= episode.num_frames)
      throw Error("option --frame: " + std::to_string(s.frame) + " is outside 0.." + std::to_string(episode.num_frames - 1));
    if (s.instruction.empty()) s.instruction = episode.instruction;
    std::optional<geometry::Rollout> rollout;
    if (!rollout_dir.empty()) {
      rollout = geometry::read_rollout(rollout_dir);
      geometry::check_rollout_episode(*rollout, episode);
    }
    session::save_session(out, s, rollout ? &*rollout : nullptr, output);
    std::fprintf(stderr, "[session] wrote %s%s\n", out.c_str(),
                 rollout ? (" and " + session::rollout_dir_for(out)).c_str() : "");
    return 0;
  }
  if (verb != "show") throw Error("xwam session: unknown action '" + verb + "' (expected create or show)");
  const std::string path = args.positional(1, "SESSION.json");
  const bool json = args.flag("json");
  args.check_all_used();
  const session::Session s = session::load_session(path);
  nlohmann::json j = {{"scene", s.scene}, {"episode", s.episode}, {"frame", s.frame}, {"instruction", s.instruction},
                      {"checkpoint", s.checkpoint}, {"mode", s.mode}, {"steps_action", s.steps_action},
                      {"steps_video", s.steps_video}, {"seed", std::to_string(s.seed)}, {"start_frame", s.start_frame},
                      {"rollout_dir", s.rollout_dir}};
  // The run history (what-if) and the pair compared, when the studio saved them.
  if (!s.runs.empty()) {
    j["runs"] = nlohmann::json::array();
    for (const auto& r : s.runs)
      j["runs"].push_back({{"label", r.label}, {"instruction", r.instruction}, {"mode", r.mode},
                           {"seed", std::to_string(r.seed)}, {"total_ms", r.total_ms}, {"rollout_dir", r.rollout_dir}});
  }
  if (s.compare_a >= 0) j["compare"] = {{"a", s.compare_a}, {"b", s.compare_b}};
  if (!s.rollout_dir.empty()) {
    const data::Episode episode = data::read_episode(s.scene, s.episode);
    const session::RestoredRollout restored = session::restore_rollout(s, episode);
    if (restored.comparison.report) j["metrics"] = geometry::metrics_json(restored.comparison.report->prediction.mean);
    else j["metrics_error"] = restored.comparison.evaluation_error;
  }
  if (json) {
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  for (const auto& [key, value] : j.items())
    std::printf("%-13s %s\n", key.c_str(), value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
  return 0;
}
