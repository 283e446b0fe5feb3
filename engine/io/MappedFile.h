// A read-only memory mapping of a whole file, shared by every tensor that views it: weights are read
// without copying, and the mapping lives as long as the last tensor (or reader) holding it.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace xwam::io {

class MappedFile {
 public:
  // Maps `path` read-only. Throws xwam::Error naming the file when it cannot be opened or mapped.
  // An empty file maps to size() == 0 and data() == nullptr.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace xwam::io
