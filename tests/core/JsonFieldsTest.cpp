// Checked numeric reads from JSON: finite numbers, whole numbers in range, errors naming file and key.
#include <gtest/gtest.h>

#include <limits>

#include "engine/core/JsonFields.h"

using namespace xwam;
using nlohmann::json;

TEST(JsonFields, FiniteNumbersRefuseOverflowAndNonNumbers) {
  EXPECT_DOUBLE_EQ(json_fields::finite_number(json::parse("2.5"), "f.json", "fps"), 2.5);
  // JSON text cannot hold inf (the parser refuses 1e400), but documents built in code can.
  try {
    json_fields::finite_number(json(std::numeric_limits<double>::infinity()), "f.json", "fps");
    FAIL() << "inf accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "f.json");
    EXPECT_EQ(e.context(), "key fps");
  }
  EXPECT_THROW(json_fields::finite_number(json("3"), "f.json", "fps"), Error);
  EXPECT_THROW(json_fields::finite_number(json(std::numeric_limits<double>::quiet_NaN()), "f.json", "fps"), Error);
  try {
    json_fields::finite_numbers<double>(json::array({1.0, 2.0, -std::numeric_limits<double>::infinity()}), "f.json", "K");
    FAIL() << "-inf accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "key K[2]");
  }
}

TEST(JsonFields, IntegersAreWholeAndInRangeBeforeAnyCast) {
  EXPECT_EQ(json_fields::integer<int>(json::parse("42"), "f", "k"), 42);
  EXPECT_EQ(json_fields::integer<int>(json::parse("42.0"), "f", "k"), 42);
  EXPECT_EQ(json_fields::integer<int>(json::parse("-3"), "f", "k"), -3);
  for (const char* bad : {"1e300", "2147483648", "-2147483649", "1.5", "-0.5", "\"7\"", "18446744073709551615", "null"})
    EXPECT_THROW(json_fields::integer<int>(json::parse(bad), "f", "num_frames"), Error) << bad;
  EXPECT_THROW(json_fields::integer<int>(json::parse("0"), "f", "num_frames", 1), Error);
  EXPECT_THROW(json_fields::integer<size_t>(json::parse("-1"), "f", "frames"), Error);
  EXPECT_EQ(json_fields::integer<size_t>(json::parse("18446744073709551615"), "f", "k"), ~size_t{0});
}

TEST(JsonFields, TakeChecksNumbersByKey) {
  json j = json::parse(R"({"steps": 1e300, "ok": 3, "name": 5, "flag": 1})");
  j["lr"] = std::numeric_limits<double>::quiet_NaN();
  int steps = 0;
  double lr = 0;
  int ok = 0;
  std::string name;
  bool flag = false;
  json_fields::take(j, "ok", ok, "t.json");
  EXPECT_EQ(ok, 3);
  try {
    json_fields::take(j, "steps", steps, "t.json", "task.");
    FAIL() << "1e300 accepted as an int";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "key task.steps");
  }
  EXPECT_THROW(json_fields::take(j, "lr", lr, "t.json"), Error);
  EXPECT_THROW(json_fields::take(j, "name", name, "t.json"), Error);
  EXPECT_THROW(json_fields::take(j, "flag", flag, "t.json"), Error);
  json_fields::take(j, "absent", steps, "t.json");  // absent keys leave the value alone
  EXPECT_EQ(steps, 0);
}
