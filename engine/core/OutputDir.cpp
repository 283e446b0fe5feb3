#include "engine/core/OutputDir.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/StaleSibling.h"

namespace xwam {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kMarker = ".xwam-output.json";

std::function<void(const char*)>& step_hook() {
  static std::function<void(const char*)> hook;
  return hook;
}
void step(const char* name) {
  if (step_hook()) step_hook()(name);
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Flushes every file written into `dir` before it is made visible under the target's name.
void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<json> read_marker(const fs::path& dir) {
  std::ifstream in(dir / kMarker);
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("written_by", "") != "xwam" || !j.contains("kind") || !j["kind"].is_string())
    return std::nullopt;
  return j;
}

void write_marker_file(const fs::path& path, const std::string& kind, const std::vector<std::string>& entries) {
  const json j = {{"written_by", "xwam"}, {"kind", kind}, {"entries", entries}};
  std::ofstream out(path);
  out << j.dump(1) << "\n";
  if (!out.flush()) throw Error(path.string(), "cannot write (disk full?)");
}

void write_marker(const fs::path& dir, const std::string& kind, const std::vector<std::string>& entries) {
  write_marker_file(dir / kMarker, kind, entries);
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  const fs::path rel = inner.lexically_relative(outer);
  return !rel.empty() && *rel.begin() != "..";
}

enum class Target { Absent, Empty, Ours, Foreign };

// What is at `target` and, when xwam may not replace it, why (for the message).
Target inspect(const fs::path& target, const std::string& kind, std::string* why) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(target, ec);
  if (!fs::exists(st)) return Target::Absent;
  if (fs::is_symlink(st)) return *why = "is a symbolic link, not an output folder", Target::Foreign;
  if (!fs::is_directory(st)) return *why = "is a file, not an output folder", Target::Foreign;
  const std::vector<std::string> names = entries_of(target);
  if (names.empty()) return Target::Empty;
  const std::optional<json> marker = read_marker(target);
  if (!marker) return *why = "holds files xwam did not write (e.g. '" + names.front() + "')", Target::Foreign;
  const std::string marked = (*marker)["kind"].get<std::string>();
  if (marked != kind) return *why = "holds an xwam " + marked + ", which a " + kind + " does not replace", Target::Foreign;
  std::set<std::string> ours{kMarker};
  if (marker->contains("entries") && (*marker)["entries"].is_array())
    for (const auto& e : (*marker)["entries"])
      if (e.is_string()) ours.insert(e.get<std::string>());
  for (const auto& name : names)
    if (!ours.count(name)) return *why = "holds files xwam did not write beside the " + kind + " (e.g. '" + name + "')", Target::Foreign;
  return Target::Ours;
}

// Puts back what a killed process left mid-swap, and removes its half-written temporaries.
void recover_siblings(const fs::path& target) {
  const fs::path parent = target.parent_path();
  const std::string base = target.filename().string();
  const std::string partial = "." + base + ".xwam-partial-", old = "." + base + ".xwam-old-";
  std::error_code ec;
  std::vector<fs::path> olds, partials;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string name = e.path().filename().string();
    if (is_stale_sibling(name, old)) olds.push_back(e.path());
    if (is_stale_sibling(name, partial)) partials.push_back(e.path());
  }
  for (const auto& o : olds) {
    // Killed between moving the previous folder away and moving the new one in: the previous one comes back.
    if (!fs::exists(fs::symlink_status(target)))
      fs::rename(o, target);
    else
      fs::remove_all(o);  // Killed after the swap: the superseded folder was xwam's own output.
  }
  for (const auto& p : partials) fs::remove_all(p);
}

}  // namespace

OutputDir::OutputDir(const std::string& target, std::string kind, OutputOptions options)
    : shown_(target), kind_(std::move(kind)), options_(options) {
  if (target.empty()) throw Error("no output folder given");
  fs::path abs = fs::absolute(target).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  if (abs == abs.root_path()) throw Error(shown_, "the file system's root is not an output folder");
  const fs::path cwd = fs::current_path();
  if (abs == cwd || is_within(fs::weakly_canonical(cwd), fs::weakly_canonical(abs)))
    throw Error(shown_, "is the current folder or holds it; choose another output folder");
  target_ = abs.string();
  std::error_code ec;
  fs::create_directories(abs.parent_path(), ec);
  if (ec) throw Error(shown_, "cannot create the folder it goes in: " + ec.message());
  recover_siblings(abs);

  std::string why;
  if (inspect(abs, kind_, &why) == Target::Foreign && !options_.force) throw Error(shown_, options_.refusal(why));
  temp_ = (abs.parent_path() / ("." + abs.filename().string() + ".xwam-partial-" + std::to_string(::getpid()))).string();
  fs::remove_all(temp_);
  fs::create_directory(temp_, ec);
  if (ec) throw Error(shown_, "cannot create a temporary folder beside it: " + ec.message());
}

OutputDir::~OutputDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

std::string OutputDir::commit() {
  const fs::path target(target_), temp(temp_);
  write_marker(temp, kind_, entries_of(temp));
  sync_folder(temp);
  std::string why;
  const Target state = inspect(target, kind_, &why);
  if (state == Target::Foreign && !options_.force) throw Error(shown_, options_.refusal(why));
  step("checked");
  std::string moved;
  const fs::path old = target.parent_path() / ("." + target.filename().string() + ".xwam-old-" + std::to_string(::getpid()));
  try {
    if (state == Target::Ours || state == Target::Foreign) {
      if (state == Target::Ours)
        fs::rename(target, old);
      else
        moved = move_aside(target_);
      step("moved-old");
      fs::rename(temp, target);
      step("swapped");
      if (state == Target::Ours) fs::remove_all(old);
    } else {
      // An empty folder at the target is replaced by rename() itself.
      fs::rename(temp, target);
    }
  } catch (const fs::filesystem_error& e) {
    // The previous folder goes back where it was.
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(target))) fs::rename(state == Target::Ours ? old : fs::path(moved), target, ec);
    throw Error(shown_, std::string("cannot put the new folder in place: ") + e.code().message());
  }
  committed_ = true;
  fsync_dir(target.parent_path());
  return moved;
}

void OutputDir::set_step_hook(std::function<void(const char*)> hook) { step_hook() = std::move(hook); }

std::optional<std::string> output_kind(const std::string& dir) {
  const std::optional<json> marker = read_marker(dir);
  if (!marker) return std::nullopt;
  return (*marker)["kind"].get<std::string>();
}

void mark_output(const std::string& dir, const std::string& kind) {
  std::vector<std::string> names = entries_of(dir);
  names.erase(std::remove(names.begin(), names.end(), kMarker), names.end());
  write_marker(dir, kind, names);
}

void add_output_entry(const std::string& dir, const std::string& name) {
  const std::optional<json> marker = read_marker(dir);
  if (!marker) return;
  std::vector<std::string> names;
  if ((*marker).contains("entries") && (*marker)["entries"].is_array())
    for (const auto& e : (*marker)["entries"])
      if (e.is_string()) names.push_back(e.get<std::string>());
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  names.push_back(name);
  AtomicFile out((fs::path(dir) / kMarker).string());
  write_marker_file(out.temp_path(), (*marker)["kind"].get<std::string>(), names);
  out.commit();
}

std::string move_aside(const std::string& path) {
  for (int n = 1;; ++n) {
    const std::string aside = path + ".old-" + std::to_string(n);
    if (fs::exists(fs::symlink_status(aside))) continue;
    std::error_code ec;
    fs::rename(path, aside, ec);
    if (ec) throw Error(path, "cannot move it aside to " + aside + ": " + ec.message());
    return aside;
  }
}

void require_new_folder(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir))) {
    if (!fs::is_directory(fs::symlink_status(dir)) || !fs::is_empty(dir, ec))
      throw Error(dir, "exists and is not an empty folder; nothing was written");
    return;
  }
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir, "cannot create folder: " + ec.message());
}

}  // namespace xwam
