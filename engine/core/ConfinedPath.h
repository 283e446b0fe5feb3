// Paths and names read from a file, confined to that file's folder: a manifest, index or metadata
// file may only point at files beside or below it, never at /etc/passwd or ../../elsewhere.
//
//   const std::string csv = confined_path(dir, manifest["states_csv"], manifest_path, "states_csv");
//   check_file_name(camera, manifest_path, "cameras");  // before rgb/<camera>/ is read or written
#pragma once
#include <string>

namespace xwam {

// Resolves `relative` against `folder`. Refuses an empty value, an absolute path, a path that leaves
// `folder` through `..`, and one that leaves it through a symbolic link (of the path or any folder on
// the way). Throws xwam::Error(file, "key <key>", ...) quoting the offending value.
std::string confined_path(const std::string& folder, const std::string& relative, const std::string& file,
                          const std::string& key);

// Checks that `name` can be used as a single file or folder name: not empty, not "." or "..", no
// '/', '\\' or control characters. Throws xwam::Error(file, "key <key>", ...) quoting the name.
void check_file_name(const std::string& name, const std::string& file, const std::string& key);

// A value from a foreign file made safe to quote in an error: control characters escaped, at most
// `max_chars` characters (an ellipsis marks the cut).
std::string quoted_value(const std::string& value, size_t max_chars = 200);

}  // namespace xwam
