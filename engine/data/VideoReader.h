// Reads frames of a video file by index with FFmpeg. A request seeks to the nearest key frame at or
// before the frame and decodes forward from there; requests that move forward a little keep decoding
// instead of seeking, so reading a clip at a stride never decodes the file from the start.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xwam::data {

class VideoReader {
 public:
  explicit VideoReader(const std::string& path);  // throws xwam::Error naming the file
  ~VideoReader();

  int width() const;
  int height() const;
  double fps() const;
  int num_frames() const;  // from the container, or counted once when it does not say
  const std::string& path() const;

  // RGB24 of frame `index` (0-based), H·W·3 bytes. Throws naming the file and the index when the
  // video is shorter or broken.
  std::vector<uint8_t> frame(int index);
  // Frames decoded since opening (for the benchmark and tests of the seeking strategy).
  int64_t frames_decoded() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::data
