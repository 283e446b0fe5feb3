// Input files are regular files: a FIFO, a device (/dev/zero), a socket or a directory given where a
// file is expected is refused before it is opened, so no reader blocks on it or reads it forever.
#pragma once
#include <cstdint>
#include <string>

namespace xwam {

// Size in bytes of the regular file at `path` (symlinks followed). Throws xwam::Error naming the
// path and `what` ("weights file", "PLY file", ...) when it is missing or is no regular file.
uint64_t regular_file_size(const std::string& path, const std::string& what = "file");

// Opens `path` read-only after the check above and checks the opened descriptor again (the name may
// have been swapped in between); returns the descriptor, which the caller closes.
int open_regular_file(const std::string& path, const std::string& what = "file");

// The whole file, refused (xwam::Error naming the path) when larger than `max_bytes`.
std::string read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what = "file");

}  // namespace xwam
