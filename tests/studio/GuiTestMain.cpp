// main() for GUI tests: one QApplication for the whole run, created before and destroyed after every
// test (a function-static one would be destroyed after Qt's own globals and crash at exit).
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
  // Headless unless the caller chose a platform (e.g. xcb under Xvfb).
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  // Settings (window layout, last checkpoint) go to a test location, not the user's.
  QStandardPaths::setTestModeEnabled(true);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
