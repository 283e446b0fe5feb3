// Writes RGB frames to an mp4 file with FFmpeg: H.264 (libx264) when the build has it, else MPEG-4
// Part 2. The file appears only when finish() succeeds (temporary + rename).
//
//   VideoWriter out("rollout.mp4", 320, 240, {.fps = 10, .quality = 0.8});
//   for (auto& frame : frames) out.add(frame.data());   // H·W·3 uint8, row-major RGB
//   out.finish();
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace xwam::data {

struct VideoOptions {
  double fps = 10.0;
  double quality = 0.8;  // 0 (smallest) .. 1 (near lossless); maps to x264's CRF or MPEG-4's qscale
  int keyframe_interval = 12;
  // Grey frames (R = G = B, e.g. 8-bit depth) stored bit-exact: H.264 lossless (qp 0) in full-range 4:2:0,
  // so a decoder that honours the range returns every value unchanged. MPEG-4 (no lossless mode) falls
  // back to its best quality.
  bool lossless_grey = false;
};

class VideoWriter {
 public:
  // Width and height must be even (4:2:0 chroma). Throws xwam::Error naming the file.
  VideoWriter(const std::string& path, int width, int height, const VideoOptions& options = {});
  ~VideoWriter();
  void add(const uint8_t* rgb);
  void finish();
  const std::string& codec() const;  // "h264" or "mpeg4"
  int frames_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::data
