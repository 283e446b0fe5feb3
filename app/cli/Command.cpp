#include "app/cli/Command.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "engine/core/Error.h"

namespace xwam::cli {

Args::Args(const std::vector<std::string>& tokens, const std::set<std::string>& boolean_flags) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    if (tok.rfind("--", 0) == 0 && tok.size() > 2) {
      std::string key = tok.substr(2);
      auto eq = key.find('=');
      auto& values = options_[key.substr(0, eq)];
      if (eq != std::string::npos) {
        values.push_back(key.substr(eq + 1));
        continue;
      }
      if (boolean_flags.count(key)) continue;
      // Values run until the next option; a value may look like a negative number.
      while (i + 1 < tokens.size() &&
             !(tokens[i + 1].rfind("--", 0) == 0 && tokens[i + 1].size() > 2)) {
        values.push_back(tokens[++i]);
      }
      if (values.empty()) throw Error("option --" + key + " needs a value");
    } else {
      positionals_.push_back(tok);
    }
  }
}

bool Args::flag(const std::string& key) const {
  used_.insert(key);
  return options_.count(key) > 0;
}

bool Args::has(const std::string& key) const {
  used_.insert(key);
  return options_.count(key) > 0;
}

std::string Args::get(const std::string& key, const std::string& fallback) const {
  used_.insert(key);
  auto it = options_.find(key);
  if (it == options_.end() || it->second.empty()) return fallback;
  if (it->second.size() > 1) throw Error("option --" + key + " takes one value");
  return it->second.front();
}

std::string Args::require(const std::string& key) const {
  if (!has(key)) throw Error("missing required option --" + key);
  return get(key, "");
}

std::vector<std::string> Args::list(const std::string& key) const {
  used_.insert(key);
  auto it = options_.find(key);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::get_int(const std::string& key, long long fallback) const {
  std::string v = get(key, "");
  if (v.empty()) return fallback;
  char* end = nullptr;
  long long out = std::strtoll(v.c_str(), &end, 10);
  if (*end != '\0') throw Error("option --" + key + " expects an integer, got '" + v + "'");
  return out;
}

double Args::get_double(const std::string& key, double fallback) const {
  std::string v = get(key, "");
  if (v.empty()) return fallback;
  char* end = nullptr;
  double out = std::strtod(v.c_str(), &end);
  if (*end != '\0') throw Error("option --" + key + " expects a number, got '" + v + "'");
  return out;
}

std::string Args::positional(size_t index, const std::string& what) const {
  if (index >= positionals_.size()) throw Error("missing argument " + what);
  return positionals_[index];
}

void Args::check_all_used() const {
  for (const auto& [key, values] : options_) {
    if (!used_.count(key)) throw Error("unknown option --" + key);
  }
}

// Commands and benchmarks register during static initialisation; function-local maps avoid the
// static initialisation order problem.
enum class Registry { Commands, Benches };
static std::map<std::string, CommandInfo>& registry(Registry which) {
  static std::map<std::string, CommandInfo> commands, benches;
  return which == Registry::Commands ? commands : benches;
}

// Identifiers cannot hold '-': XWAM_COMMAND(init_from_wan, ...) registers "init-from-wan".
static CommandInfo dashed(CommandInfo info) {
  std::replace(info.name.begin(), info.name.end(), '_', '-');
  return info;
}

bool register_command(const CommandInfo& info) {
  registry(Registry::Commands)[dashed(info).name] = dashed(info);
  return true;
}

const std::map<std::string, CommandInfo>& commands() { return registry(Registry::Commands); }

bool register_bench(const CommandInfo& info) {
  registry(Registry::Benches)[dashed(info).name] = dashed(info);
  return true;
}

const std::map<std::string, CommandInfo>& benches() { return registry(Registry::Benches); }

SceneRef parse_scene(const std::string& text) {
  SceneRef ref{text, 0};
  auto colon = text.rfind(':');
  if (colon != std::string::npos && colon + 1 < text.size() &&
      text.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    ref.file = text.substr(0, colon);
    ref.episode = std::atoi(text.c_str() + colon + 1);
  }
  return ref;
}

}  // namespace xwam::cli

