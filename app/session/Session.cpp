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

std::string run_rollout_dir_for(const std::string& session_path, size_t index) {
  const fs::path p = fs::absolute(session_path);
  return (p.parent_path() / (p.stem().string() + ".run-" + std::to_string(index + 1) + ".rollout")).string();
}

Session save_session(const std::string& path, Session s, const geometry::Rollout* rollout, const OutputOptions& options,
                     const std::vector<const geometry::Rollout*>& run_rollouts) {
  const fs::path base = fs::absolute(path).parent_path();
  if (!run_rollouts.empty() && run_rollouts.size() != s.runs.size())
    throw Error(path, "session has " + std::to_string(s.runs.size()) + " runs but " + std::to_string(run_rollouts.size()) +
                          " rollouts were given to save");
  auto write = [&](const std::string& dir, const geometry::Rollout& r) {
    OutputDir target(dir, "rollout", options);
    geometry::write_rollout(target.path(), r);
    target.commit();
  };
  if (rollout) {
    s.rollout_dir = rollout_dir_for(path);
    write(s.rollout_dir, *rollout);
  }
  for (size_t i = 0; i < run_rollouts.size(); ++i)
    if (run_rollouts[i]) {
      s.runs[i].rollout_dir = run_rollout_dir_for(path, i);
      write(s.runs[i].rollout_dir, *run_rollouts[i]);
    }
  // The rollout lives beside the session (rollout_dir_for), so it is stored relative to it.
  auto relative = [&](const std::string& p) {
    if (p.empty()) return p;
    return fs::absolute(p).lexically_normal().lexically_relative(base).string();
  };
  json runs = json::array();
  for (const SessionRun& r : s.runs)
    runs.push_back({{"label", r.label},
                    {"instruction", r.instruction},
                    {"checkpoint", r.checkpoint},
                    {"mode", r.mode},
                    {"seed", std::to_string(r.seed)},
                    {"steps_action", r.steps_action},
                    {"steps_video", r.steps_video},
                    {"start_frame", r.start_frame},
                    {"total_ms", r.total_ms},
                    {"rollout_dir", relative(r.rollout_dir)}});
  json j = {{"version", 1},
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
                  {"runs", runs},
                  {"window", {{"geometry", s.window_geometry}, {"state", s.window_state}}}};
  if (s.compare_a >= 0 && s.compare_b >= 0) j["compare"] = {{"a", s.compare_a}, {"b", s.compare_b}};
  AtomicFile out(path);
  {
    std::ofstream file(out.temp_path());
    file << j.dump(2) << "\n";
    if (!file.flush()) throw Error(path, "cannot write the session (disk full?)");
  }
  out.commit();
  return s;
}

namespace {
// Seeds are strings in the file (64-bit integers do not survive every JSON reader).
uint64_t parse_seed(const std::string& seed, const std::string& path, const std::string& key) {
  try {
    size_t used = 0;
    const uint64_t value = std::stoull(seed, &used);
    if (used != seed.size() || seed.empty() || seed[0] == '-') throw std::invalid_argument(seed);
    return value;
  } catch (const std::exception&) {
    throw Error(path, "key " + key, "expected a whole number, got " + quoted_value(seed, 32));
  }
}
}  // namespace

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
  s.seed = parse_seed(text("seed", "0"), path, "seed");
  s.start_frame = integer("start_frame", 0, 0, 1 << 30);
  // The rollout is always written beside the session: a path leading elsewhere is refused.
  const std::string rollout_dir = text("rollout_dir", "");
  if (!rollout_dir.empty()) s.rollout_dir = confined_path(base.string(), rollout_dir, path, "rollout_dir");
  if (j.contains("runs")) {
    if (!j["runs"].is_array()) throw Error(path, "key runs", "expected an array");
    if (j["runs"].size() > 10000) throw Error(path, "key runs", "more than 10000 runs");
    for (size_t i = 0; i < j["runs"].size(); ++i) {
      const json& r = j["runs"][i];
      const std::string key = "runs[" + std::to_string(i) + "]";
      if (!r.is_object()) throw Error(path, "key " + key, "expected an object");
      auto field = [&](const char* name) {
        if (!r.contains(name)) return std::string();
        if (!r[name].is_string()) throw Error(path, "key " + key + "." + name, "expected a string");
        return r[name].get<std::string>();
      };
      auto number = [&](const char* name, int fallback, int lo, int hi) {
        return r.contains(name) ? json_fields::integer<int>(r[name], path, key + "." + name, lo, hi) : fallback;
      };
      SessionRun run;
      run.label = field("label");
      run.instruction = field("instruction");
      run.checkpoint = field("checkpoint");
      run.mode = r.contains("mode") ? field("mode") : "xwam";
      run.seed = parse_seed(r.contains("seed") ? field("seed") : "0", path, key + ".seed");
      run.steps_action = number("steps_action", 10, 1, 1000);
      run.steps_video = number("steps_video", 50, 1, 1000);
      run.start_frame = number("start_frame", 0, 0, 1 << 30);
      if (r.contains("total_ms")) {
        if (!r["total_ms"].is_number() || !(r["total_ms"].get<double>() >= 0))
          throw Error(path, "key " + key + ".total_ms", "expected a number of milliseconds ≥ 0");
        run.total_ms = r["total_ms"].get<double>();
      }
      const std::string dir = field("rollout_dir");
      if (dir.empty()) throw Error(path, "key " + key + ".rollout_dir", "missing: every run keeps its rollout");
      run.rollout_dir = confined_path(base.string(), dir, path, key + ".rollout_dir");
      s.runs.push_back(std::move(run));
    }
  }
  if (j.contains("compare")) {
    const json& c = j["compare"];
    if (!c.is_object() || !c.contains("a") || !c.contains("b")) throw Error(path, "key compare", "expected {\"a\": RUN, \"b\": RUN}");
    const int last = static_cast<int>(s.runs.size()) - 1;
    if (last < 1) throw Error(path, "key compare", "names runs, but the session has fewer than two");
    s.compare_a = json_fields::integer<int>(c["a"], path, "compare.a", 0, last);
    s.compare_b = json_fields::integer<int>(c["b"], path, "compare.b", 0, last);
  }
  if (j.contains("window") && j["window"].is_object()) {
    const json& w = j["window"];
    if (w.contains("geometry") && w["geometry"].is_string()) s.window_geometry = w["geometry"].get<std::string>();
    if (w.contains("state") && w["state"].is_string()) s.window_state = w["state"].get<std::string>();
  }
  return s;
}

namespace {
RestoredRollout restore_dir(const std::string& dir, const data::Episode& episode) {
  RestoredRollout out;
  out.rollout = std::make_shared<const geometry::Rollout>(geometry::read_rollout(dir));
  geometry::check_rollout_episode(*out.rollout, episode);
  out.comparison = geometry::compare_rollout(episode, *out.rollout);
  return out;
}
}  // namespace

RestoredRollout restore_run(const Session& session, size_t index, const data::Episode& episode) {
  if (index >= session.runs.size())
    throw Error("session run " + std::to_string(index) + ": the session has " + std::to_string(session.runs.size()) + " runs");
  return restore_dir(session.runs[index].rollout_dir, episode);
}

RestoredRollout restore_rollout(const Session& session, const data::Episode& episode) {
  RestoredRollout out;
  out.rollout = std::make_shared<const geometry::Rollout>(geometry::read_rollout(session.rollout_dir));
  geometry::check_rollout_episode(*out.rollout, episode);
  out.comparison = geometry::compare_rollout(episode, *out.rollout);
  return out;
}

}  // namespace xwam::session
