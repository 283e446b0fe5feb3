#include "app/session/Session.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/AtomicFile.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"

namespace xwam::session {
namespace fs = std::filesystem;
using nlohmann::json;

std::string rollout_dir_for(const std::string& session_path) {
  const fs::path p = fs::absolute(session_path);
  return (p.parent_path() / (p.stem().string() + ".rollout")).string();
}

Session save_session(const std::string& path, Session s, const geometry::Rollout* rollout, const OutputOptions& options) {
  const fs::path base = fs::absolute(path).parent_path();
  if (rollout) {
    s.rollout_dir = rollout_dir_for(path);
    OutputDir target(s.rollout_dir, "rollout", options);
    geometry::write_rollout(target.path(), *rollout);
    target.commit();
  }
  // The rollout lives beside the session (rollout_dir_for), so it is stored relative to it.
  auto relative = [&](const std::string& p) {
    if (p.empty()) return p;
    return fs::absolute(p).lexically_normal().lexically_relative(base).string();
  };
  const json j = {{"version", 1},
                  {"scene", fs::absolute(s.scene).lexically_normal().string()},
                  {"episode", s.episode},
                  {"frame", s.frame},
                  {"instruction", s.instruction},
                  {"checkpoint", s.checkpoint},
                  {"mode", s.mode},
                  {"steps_action", s.steps_action},
                  {"steps_video", s.steps_video},
                  {"seed", std::to_string(s.seed)},  // a string: JSON readers lose 64-bit integers
                  {"start_frame", s.start_frame},
                  {"rollout_dir", relative(s.rollout_dir)},
                  {"window", {{"geometry", s.window_geometry}, {"state", s.window_state}}}};
  AtomicFile out(path);
  {
    std::ofstream file(out.temp_path());
    file << j.dump(2) << "\n";
    if (!file.flush()) throw Error(path, "cannot write the session (disk full?)");
  }
  out.commit();
  return s;
}

Session load_session(const std::string& path) {
  const json j = json_fields::parse_file(path, "session file");
  if (!j.is_object() || !j.contains("version") || j["version"] != 1 || !j.contains("scene") || !j["scene"].is_string())
    throw Error(path, "not a session file (key \"version\" 1 and \"scene\" expected)");
  const fs::path base = fs::absolute(path).parent_path();
  auto absolute = [&](const std::string& p) { return p.empty() ? p : (base / p).lexically_normal().string(); };
  auto text = [&](const char* key, const std::string& fallback) {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_string()) throw Error(path, std::string("key ") + key, "expected a string");
    return j[key].get<std::string>();
  };
  auto integer = [&](const char* key, int fallback, int lo, int hi) {
    return j.contains(key) ? json_fields::integer<int>(j[key], path, key, lo, hi) : fallback;
  };
  Session s;
  s.scene = absolute(j["scene"].get<std::string>());
  s.episode = integer("episode", 0, 0, 1 << 30);
  s.frame = integer("frame", 0, 0, 1 << 30);
  s.instruction = text("instruction", "");
  s.checkpoint = text("checkpoint", "");
  s.mode = text("mode", "xwam");
  s.steps_action = integer("steps_action", 10, 1, 1000);
  s.steps_video = integer("steps_video", 50, 1, 1000);
  const std::string seed = text("seed", "0");
  try {
    size_t used = 0;
    s.seed = std::stoull(seed, &used);
    if (used != seed.size()) throw std::invalid_argument(seed);
  } catch (const std::exception&) {
    throw Error(path, "key seed", "expected a whole number, got " + quoted_value(seed, 32));
  }
  s.start_frame = integer("start_frame", 0, 0, 1 << 30);
  // The rollout is always written beside the session: a path leading elsewhere is refused.
  const std::string rollout_dir = text("rollout_dir", "");
  if (!rollout_dir.empty()) s.rollout_dir = confined_path(base.string(), rollout_dir, path, "rollout_dir");
  if (j.contains("window") && j["window"].is_object()) {
    const json& w = j["window"];
    if (w.contains("geometry") && w["geometry"].is_string()) s.window_geometry = w["geometry"].get<std::string>();
    if (w.contains("state") && w["state"].is_string()) s.window_state = w["state"].get<std::string>();
  }
  return s;
}

RestoredRollout restore_rollout(const Session& session, const data::Episode& episode) {
  RestoredRollout out;
  out.rollout = std::make_shared<const geometry::Rollout>(geometry::read_rollout(session.rollout_dir));
  geometry::check_rollout_episode(*out.rollout, episode);
  out.comparison = geometry::compare_rollout(episode, *out.rollout);
  return out;
}

}  // namespace xwam::session
