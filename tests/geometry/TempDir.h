// A fresh temporary directory per test, named after it and emptied when the test starts.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace xwam::test {

inline std::filesystem::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("xwam_geometry_" + std::string(info->test_suite_name()) + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace xwam::test
