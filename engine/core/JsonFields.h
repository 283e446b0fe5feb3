// Settings files in JSON: parsing that names the file, and typed fields that name the key, so every
// config reader reports bad input the same way.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "engine/core/Error.h"

namespace xwam::json_fields {

inline nlohmann::json parse(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(origin, std::string("not valid JSON: ") + e.what());
  }
}

// Reads j[key] into `out` when present; `prefix` is how the key is named in errors (e.g. "task.").
template <typename T>
void take(const nlohmann::json& j, const char* key, T& out, const std::string& origin, const std::string& prefix = "") {
  if (!j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
  } catch (const std::exception&) {
    throw Error(origin, "key " + prefix + key, "has the wrong type (" + j.at(key).dump() + ")");
  }
}

}  // namespace xwam::json_fields
