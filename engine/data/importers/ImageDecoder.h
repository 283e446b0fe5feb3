// Decodes one encoded image (JPEG or PNG bytes, as RoboTwin stores frames) to RGB24 with FFmpeg.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xwam::data {

struct DecodedImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // H·W·3
};

// Throws xwam::Error with `what` (e.g. "file.hdf5: camera head_camera frame 12") when the bytes are
// neither JPEG nor PNG or are corrupt.
DecodedImage decode_image(const std::string& bytes, const std::string& what);

}  // namespace xwam::data
