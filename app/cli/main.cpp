// xwam: the command-line twin of every X-WAM Studio action.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <new>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/core/Progress.h"

#ifdef XWAM_CLI_HAS_TORCH
#include <c10/util/Exception.h>
#endif

namespace {
void print_help() {
  std::printf("xwam — X-WAM Studio command line\n\nUsage: xwam COMMAND [options]\n\nCommands:\n");
  for (const auto& [name, info] : xwam::cli::commands()) {
    std::printf("  %-12s %s\n", name.c_str(), info.summary.c_str());
  }
  std::printf("\nRun 'xwam COMMAND --help' for a command's options.\n");
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    print_help();
    return argc < 2 ? 1 : 0;
  }
  // `xwam bench NAME ...` runs a registered benchmark with its own options.
  const bool is_bench = std::string(argv[1]) == "bench" && argc >= 3 && xwam::cli::benches().count(argv[2]);
  const auto& cmds = is_bench ? xwam::cli::benches() : xwam::cli::commands();
  auto it = cmds.find(is_bench ? argv[2] : argv[1]);
  if (it == cmds.end()) {
    std::fprintf(stderr, "xwam: unknown command '%s'\n\n", argv[1]);
    print_help();
    return 2;
  }
  std::vector<std::string> tokens(argv + (is_bench ? 3 : 2), argv + argc);
  for (const auto& t : tokens) {
    if (t == "--help" || t == "-h") {
      std::printf("%s\n\nUsage: %s\n", it->second.summary.c_str(), it->second.usage.c_str());
      return 0;
    }
  }
  try {
    xwam::cli::Args args(tokens, it->second.boolean_flags);
    return it->second.run(args);
  } catch (const xwam::Cancelled&) {
    std::fprintf(stderr, "xwam %s: cancelled\n", argv[1]);
    return 130;
  }
#ifdef XWAM_CLI_HAS_TORCH
  // LibTorch's what() appends a C++ backtrace; users get the message alone.
  catch (const c10::Error& e) {
    std::fprintf(stderr, "xwam %s: error: %s\n", argv[1], e.what_without_backtrace());
    return 1;
  }
#endif
  catch (const std::bad_alloc&) {
    std::fprintf(stderr, "xwam %s: error: out of memory\n", argv[1]);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xwam %s: error: %s\n", argv[1], e.what());
    return 1;
  }
}
