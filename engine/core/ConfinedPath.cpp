// Confinement of paths read from files: lexical checks first, then symbolic links resolved.
#include "engine/core/ConfinedPath.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace xwam {

namespace {
bool has_control_character(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// True when `path` is `base` or lies below it, compared component by component.
bool is_within(const fs::path& path, const fs::path& base) {
  auto p = path.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++p) {
    if (b->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *b) return false;
  }
  return true;
}
}  // namespace

std::string quoted_value(const std::string& value, size_t max_chars) {
  std::string out = "'";
  size_t shown = 0;
  for (char c : value) {
    if (shown == max_chars) {
      out += "…";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", u);
      out += escaped;
    } else {
      out += c;
    }
    ++shown;
  }
  return out + "'";
}

void check_file_name(const std::string& name, const std::string& file, const std::string& key) {
  const bool bad = name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
                   name.find('\\') != std::string::npos || has_control_character(name);
  if (bad)
    throw Error(file, "key " + key,
                quoted_value(name) + " cannot be used as a file name (empty, '.', '..', a path separator or a control "
                                     "character)");
}

std::string confined_path(const std::string& folder, const std::string& relative, const std::string& file,
                          const std::string& key) {
  const std::string where = "key " + key;
  if (relative.empty()) throw Error(file, where, "empty path");
  if (has_control_character(relative)) throw Error(file, where, quoted_value(relative) + " holds a control character");
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    throw Error(file, where, quoted_value(relative) + " is an absolute path; only paths inside " + folder + " are read");
  const fs::path normal = rel.lexically_normal();
  if (normal.empty() || normal == "." || *normal.begin() == "..")
    throw Error(file, where, quoted_value(relative) + " leaves the folder " + folder);

  // Symbolic links on the way may still lead outside: compare the resolved paths.
  const fs::path joined = fs::path(folder) / normal;
  std::error_code ec_base, ec_path;
  const fs::path base = fs::weakly_canonical(fs::absolute(folder), ec_base);
  const fs::path resolved = fs::weakly_canonical(fs::absolute(joined), ec_path);
  if (ec_base || ec_path) throw Error(file, where, "cannot resolve " + quoted_value(relative) + " inside " + folder);
  if (!is_within(resolved, base))
    throw Error(file, where, quoted_value(relative) + " leads outside the folder " + folder + " through a symbolic link");
  return joined.string();
}

}  // namespace xwam
