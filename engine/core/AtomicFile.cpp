#include "engine/core/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/core/StaleSibling.h"

namespace xwam {
namespace {
void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}
}  // namespace

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  // Same directory as the target so rename() never crosses file systems.
  temp_path_ = final_path_ + ".tmp." + std::to_string(::getpid());
  // Temporaries of writers that were killed before their rename would otherwise pile up.
  const std::filesystem::path final(final_path_);
  const std::string prefix = final.filename().string() + ".tmp.";
  std::error_code ec;
  const auto dir = final.parent_path().empty() ? std::filesystem::path(".") : final.parent_path();
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (is_stale_sibling(e.path().filename().string(), prefix)) std::filesystem::remove(e.path(), ec);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::commit() {
  fsync_path(temp_path_, O_RDONLY);
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    throw Error(final_path_, std::string("cannot replace file: ") + std::strerror(errno));
  committed_ = true;
  auto dir = std::filesystem::path(final_path_).parent_path();
  fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace xwam
