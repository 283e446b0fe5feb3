// Runs the `xwam` program in a child process and captures its exit code, stdout and stderr.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace xwam::testing {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `args` is appended to the program path as a shell command line (quote paths with spaces yourself).
inline CliResult run_xwam(const std::string& args) {
  const std::string base = "/tmp/xwam_cli_test_" + std::to_string(::getpid());
  const std::string cmd = std::string(XWAM_CLI) + " " + args + " >" + base + ".out 2>" + base + ".err";
  CliResult r;
  int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

}  // namespace xwam::testing
