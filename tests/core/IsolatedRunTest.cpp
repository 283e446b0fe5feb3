#include "engine/core/IsolatedRun.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>

namespace {

using Outcome = xwam::IsolatedResult::Outcome;

TEST(IsolatedRun, WorkThatReturnsFinishes) {
  const auto result = xwam::run_isolated([] {}, 5);
  EXPECT_EQ(result.outcome, Outcome::Finished);
  EXPECT_EQ(result.detail, "");
}

TEST(IsolatedRun, AnExceptionInTheProbeStillFinishes) {
  EXPECT_EQ(xwam::run_isolated([] { throw std::runtime_error("refused"); }, 5).outcome, Outcome::Finished);
}

TEST(IsolatedRun, ACrashInTheChildIsReportedAndThisProcessGoesOn) {
  const auto result = xwam::run_isolated([] { ::raise(SIGSEGV); }, 5);
  EXPECT_EQ(result.outcome, Outcome::Crashed);
  EXPECT_EQ(result.detail, strsignal(SIGSEGV));
  // An abort (what a stack smash ends in) and an exit without a verdict (a sanitizer's) are crashes too.
  EXPECT_EQ(xwam::run_isolated([] { ::abort(); }, 5).outcome, Outcome::Crashed);
  const auto exited = xwam::run_isolated([] { _exit(1); }, 5);
  EXPECT_EQ(exited.outcome, Outcome::Crashed);
  EXPECT_EQ(exited.detail, "exit status 1");
}

TEST(IsolatedRun, AHangIsEndedByTheAlarm) {
  const auto result = xwam::run_isolated([] { for (;;) ::pause(); }, 1);
  EXPECT_EQ(result.outcome, Outcome::TimedOut);
  EXPECT_NE(result.detail.find("1 s"), std::string::npos);
}

TEST(IsolatedRun, TheChildChangesNothingInThisProcess) {
  int value = 1;
  EXPECT_EQ(xwam::run_isolated([&] { value = 2; }, 5).outcome, Outcome::Finished);
  EXPECT_EQ(value, 1);
}

}  // namespace
