#include "engine/core/ProbeProcess.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstring>

#include "engine/core/Error.h"

namespace {

using Outcome = xwam::ProbeResult::Outcome;

xwam::ProbeResult shell(const std::string& script, double seconds = 10) {
  return xwam::run_probe("/bin/sh", {"-c", script}, seconds);
}

TEST(ProbeProcess, ExitStatusZeroFinishes) {
  const auto result = shell("exit 0");
  EXPECT_EQ(result.outcome, Outcome::Finished);
  EXPECT_EQ(result.detail, "");
}

TEST(ProbeProcess, ACrashIsReportedAndThisProcessGoesOn) {
  const auto crashed = shell("kill -SEGV $$");
  EXPECT_EQ(crashed.outcome, Outcome::Crashed);
  EXPECT_EQ(crashed.detail, strsignal(SIGSEGV));
  // A sanitizer's report ends in a non-zero exit: a crash too.
  const auto exited = shell("exit 1");
  EXPECT_EQ(exited.outcome, Outcome::Crashed);
  EXPECT_EQ(exited.detail, "exit status 1");
  EXPECT_EQ(exited.exit_status, 1);
  // A probe's own verdict comes back as its status (the HDF5 probe's "could not list everything").
  EXPECT_EQ(shell("exit 3").exit_status, 3);
}

TEST(ProbeProcess, AHangIsKilledAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = shell("sleep 30", 0.5);
  EXPECT_EQ(result.outcome, Outcome::TimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(ProbeProcess, AMissingProgramIsANamedError) {
  try {
    xwam::run_probe("/nonexistent/xwam-probe", {}, 1);
    FAIL() << "no error";
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/xwam-probe"), std::string::npos) << e.what();
  }
}

}  // namespace
