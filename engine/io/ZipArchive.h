// A read-only zip reader over a memory-mapped file, for PyTorch's torch.save archives: stored
// (uncompressed, aligned) entries are returned as views of the mapping, deflated ones inflated
// through zlib; zip64 archives (> 4 GB, > 65535 entries) are read too. Every offset and size is
// checked against the file before use, and each entry's CRC-32 is verified when it is read.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/io/MappedFile.h"

namespace xwam::io {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;            // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0, size = 0;
  uint64_t data_offset = 0;       // of the (compressed) data in the file
};

// Bytes of one entry; `owner` keeps them alive (the mapping, or the inflated buffer).
struct ZipBytes {
  const char* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;
};

class ZipArchive {
 public:
  // Maps and indexes `path`. Throws xwam::Error naming the file when it is no zip archive, is
  // truncated, or its directory points outside the file.
  explicit ZipArchive(const std::string& path);

  const std::string& path() const { return file_->path(); }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& name) const;  // nullptr when absent
  // The entry's bytes, CRC-checked (xwam::Error naming the file and entry on a mismatch, an unknown
  // compression method or encryption).
  ZipBytes read(const ZipEntry& entry) const;

  // True when the file starts with a zip local-file signature.
  static bool looks_like_zip(const std::string& path);

 private:
  std::shared_ptr<const MappedFile> file_;
  std::vector<ZipEntry> entries_;
};

}  // namespace xwam::io
