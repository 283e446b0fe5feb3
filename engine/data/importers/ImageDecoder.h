// Decodes one encoded image (JPEG or PNG bytes, as RoboTwin stores frames) with FFmpeg: colour frames
// to RGB24, depth frames (16-bit PNG) to raw 16-bit values.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xwam::data {

struct DecodedImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // H·W·3
};

struct DecodedDepth {
  int width = 0, height = 0;
  std::vector<uint16_t> values;  // H·W, the stored units (RoboTwin: millimetres)
};

// Both throw xwam::Error with `what` (e.g. "file.hdf5: camera head_camera frame 12") when the bytes
// are neither JPEG nor PNG or are corrupt. Trailing zero padding (fixed-length HDF5 strings) is fine.
DecodedImage decode_image(const std::string& bytes, const std::string& what);
DecodedDepth decode_depth_image(const std::string& bytes, const std::string& what);

}  // namespace xwam::data
