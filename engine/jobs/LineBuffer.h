// Bytes read from a pipe, handed out as complete lines: a read may end mid-line, and the last line of
// a stream may have no newline (flush() returns it).
#pragma once
#include <string>
#include <vector>

namespace xwam::jobs {

class LineBuffer {
 public:
  // Appends `bytes` and returns the lines it completed, without their '\n' (and a '\r' before it).
  std::vector<std::string> append(const std::string& bytes) {
    pending_ += bytes;
    std::vector<std::string> lines;
    size_t start = 0, nl;
    while ((nl = pending_.find('\n', start)) != std::string::npos) {
      size_t end = nl;
      if (end > start && pending_[end - 1] == '\r') --end;
      lines.push_back(pending_.substr(start, end - start));
      start = nl + 1;
    }
    pending_.erase(0, start);
    return lines;
  }
  // The unterminated rest, if any (at the end of the stream).
  std::vector<std::string> flush() {
    std::vector<std::string> rest;
    if (!pending_.empty()) rest.push_back(std::move(pending_));
    pending_.clear();
    return rest;
  }

 private:
  std::string pending_;
};

}  // namespace xwam::jobs
