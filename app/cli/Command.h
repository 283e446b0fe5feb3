// Subcommands of the `xwam` CLI. Each lives in app/cli/<part>/<Name>Command.cpp and registers itself:
//
//   XWAM_COMMAND(inspect, "List episodes, cameras and statistics of an episode file",
//                "xwam inspect FILE.h5 [--json]", {"json"}) {
//     auto file = args.positional(0, "FILE.h5");
//     ...
//     return 0;
//   }
//
// Errors are thrown as xwam::Error; main() prints them once and exits non-zero.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xwam::cli {

// Parsed command line: `--key value [value ...]`, boolean `--flag`s named by the command, positionals.
class Args {
 public:
  Args(const std::vector<std::string>& tokens, const std::set<std::string>& boolean_flags);

  bool flag(const std::string& key) const;
  bool has(const std::string& key) const;
  std::string get(const std::string& key, const std::string& fallback) const;
  std::string require(const std::string& key) const;  // throws naming the missing option
  std::vector<std::string> list(const std::string& key) const;
  long long get_int(const std::string& key, long long fallback) const;
  double get_double(const std::string& key, double fallback) const;
  std::string positional(size_t index, const std::string& what) const;
  size_t positional_count() const { return positionals_.size(); }
  // Throws naming the first option the command did not read (a typo should not be ignored).
  void check_all_used() const;

 private:
  std::map<std::string, std::vector<std::string>> options_;
  std::vector<std::string> positionals_;
  mutable std::set<std::string> used_;
};

using CommandFn = int (*)(Args&);

struct CommandInfo {
  std::string name, summary, usage;
  std::set<std::string> boolean_flags;
  CommandFn run;
};

bool register_command(const CommandInfo& info);
const std::map<std::string, CommandInfo>& commands();

// Scene argument "FILE.h5[:EPISODE]" (episode index, default 0).
struct SceneRef {
  std::string file;
  int episode = 0;
};
SceneRef parse_scene(const std::string& text);

}  // namespace xwam::cli

#define XWAM_COMMAND(NAME, SUMMARY, USAGE, ...)                                                 \
  static int xwam_cmd_##NAME(::xwam::cli::Args& args);                                          \
  static const bool xwam_cmd_registered_##NAME = ::xwam::cli::register_command(                \
      {#NAME, SUMMARY, USAGE, std::set<std::string> __VA_ARGS__, &xwam_cmd_##NAME});            \
  static int xwam_cmd_##NAME(::xwam::cli::Args& args)

namespace xwam::cli {
// `xwam bench NAME [options]`: benchmarks register like commands and print JSON on stdout.
bool register_bench(const CommandInfo& info);
const std::map<std::string, CommandInfo>& benches();
}  // namespace xwam::cli

#define XWAM_BENCH(NAME, SUMMARY, USAGE, ...)                                                   \
  static int xwam_bench_##NAME(::xwam::cli::Args& args);                                        \
  static const bool xwam_bench_registered_##NAME = ::xwam::cli::register_bench(                 \
      {#NAME, SUMMARY, USAGE, std::set<std::string> __VA_ARGS__, &xwam_bench_##NAME});          \
  static int xwam_bench_##NAME(::xwam::cli::Args& args)
