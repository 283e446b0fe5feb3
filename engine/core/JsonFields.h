// Settings files in JSON: parsing that names the file, and typed fields that name the key, so every
// config reader reports bad input the same way.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

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

// Reads j[key] into `out` when present; `prefix` is how the key is named in errors (e.g. "task.").
template <typename T>
void take(const nlohmann::json& j, const char* key, T& out, const std::string& origin, const std::string& prefix = "") {
  if (!j.is_object() || !j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
  } catch (const std::exception&) {
    throw Error(origin, "key " + prefix + key, "has the wrong type (" + j.at(key).dump() + ")");
  }
}

}  // namespace xwam::json_fields
