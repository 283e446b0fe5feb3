// Settings files in JSON: parsing that names the file, and typed fields that name the key, so every
// config reader reports bad input the same way.
#pragma once
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

namespace xwam::json_fields {

// Settings and metadata files are small: these bounds keep a hostile one from costing gigabytes.
constexpr uint64_t kMaxFileBytes = 64ull << 20;
constexpr int kMaxDepth = 64;

// Throws when arrays/objects in `text` nest deeper than `max_depth` (checked before parsing: the
// parsed tree of a deeply nested text costs far more memory than the text).
inline void check_nesting(const char* text, size_t size, int max_depth, const std::string& origin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < size; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw Error(origin, "JSON nests deeper than " + std::to_string(max_depth) + " levels (at byte " +
                                std::to_string(i) + "): refused");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

inline nlohmann::json parse(const std::string& text, const std::string& origin, int max_depth = kMaxDepth) {
  check_nesting(text.data(), text.size(), max_depth, origin);
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(origin, std::string("not valid JSON: ") + e.what());
  }
}

// A JSON file: a regular file of at most kMaxFileBytes, parsed as above.
inline nlohmann::json parse_file(const std::string& path, const std::string& what = "JSON file") {
  return parse(read_regular_file(path, kMaxFileBytes, what), path);
}

// A finite number (a JSON number past double's range parses as ±inf); `key` names it in errors.
inline double finite_number(const nlohmann::json& v, const std::string& origin, const std::string& key) {
  if (!v.is_number()) throw Error(origin, "key " + key, "expected a number, found " + std::string(v.type_name()));
  const double x = v.get<double>();
  if (!std::isfinite(x)) throw Error(origin, "key " + key, "is not a finite number");
  return x;
}

// Whether a JSON integer (stored signed or unsigned) lies in [lo, hi], compared without overflow.
template <typename Int>
bool fits(int64_t x, Int lo, Int hi) {
  if constexpr (std::is_signed_v<Int>) return x >= static_cast<int64_t>(lo) && x <= static_cast<int64_t>(hi);
  else return x >= 0 && static_cast<uint64_t>(x) >= lo && static_cast<uint64_t>(x) <= hi;
}
template <typename Int>
bool fits(uint64_t x, Int lo, Int hi) {
  if constexpr (std::is_signed_v<Int>) return hi >= 0 && x <= static_cast<uint64_t>(hi) && (lo <= 0 || x >= static_cast<uint64_t>(lo));
  else return x >= lo && x <= hi;
}

// A whole number in [lo, hi], cast only once known to fit (a cast of 1e300 or NaN is undefined).
template <typename Int>
Int integer(const nlohmann::json& v, const std::string& origin, const std::string& key,
            Int lo = std::numeric_limits<Int>::lowest(), Int hi = std::numeric_limits<Int>::max()) {
  static_assert(std::is_integral_v<Int>, "integer() reads integral types");
  const auto out_of_range = [&] {
    return Error(origin, "key " + key, v.dump() + " is outside " + std::to_string(lo) + "…" + std::to_string(hi));
  };
  if (v.is_number_unsigned()) {
    if (!fits(v.get<uint64_t>(), lo, hi)) throw out_of_range();
    return static_cast<Int>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) {
    if (!fits(v.get<int64_t>(), lo, hi)) throw out_of_range();
    return static_cast<Int>(v.get<int64_t>());
  }
  const double x = finite_number(v, origin, key);
  if (x != std::floor(x)) throw Error(origin, "key " + key, v.dump() + " is not a whole number");
  // 2^63 and beyond do not fit any 64-bit type; below that the double comparison is exact enough.
  if (std::abs(x) >= 9.2e18 || x < static_cast<double>(lo) || x > static_cast<double>(hi)) throw out_of_range();
  return static_cast<Int>(x);
}

// A list of finite numbers; `key` names it in errors, with the index of a bad entry.
template <typename Float>
std::vector<Float> finite_numbers(const nlohmann::json& v, const std::string& origin, const std::string& key) {
  if (!v.is_array()) throw Error(origin, "key " + key, "expected a list of numbers");
  std::vector<Float> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out.push_back(static_cast<Float>(finite_number(v[i], origin, key + "[" + std::to_string(i) + "]")));
  return out;
}

// Reads j[key] into `out` when present; `prefix` is how the key is named in errors (e.g. "task.").
// Numbers must be finite, and integers whole and in range of T.
template <typename T>
void take(const nlohmann::json& j, const char* key, T& out, const std::string& origin, const std::string& prefix = "") {
  if (!j.is_object() || !j.contains(key)) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.at(key).is_boolean()) throw Error(origin, "key " + prefix + key, "expected true or false (" + j.at(key).dump() + ")");
    out = j.at(key).get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    out = integer<T>(j.at(key), origin, prefix + key);
  } else if constexpr (std::is_floating_point_v<T>) {
    out = static_cast<T>(finite_number(j.at(key), origin, prefix + key));
  } else {
    try {
      out = j.at(key).get<T>();
    } catch (const std::exception&) {
      throw Error(origin, "key " + prefix + key, "has the wrong type (" + j.at(key).dump() + ")");
    }
  }
}

}  // namespace xwam::json_fields
