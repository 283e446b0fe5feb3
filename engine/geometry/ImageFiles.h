// Image files of rollouts: 8-bit PNG (own small codec on zlib) and raw float32 depth (.f32).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xwam::geometry {

// An 8-bit RGB image, H·W·3 bytes row-major.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// Reads a non-interlaced 8-bit PNG of colour type grey, grey+alpha, RGB or RGBA (alpha dropped, grey
// replicated) into RGB. Throws xwam::Error naming the file for anything else or a corrupt file.
RgbImage read_png(const std::string& path);
// Writes an 8-bit RGB PNG (pixels: H·W·3). Throws xwam::Error naming the file.
void write_png(const std::string& path, const uint8_t* rgb, int width, int height);

// Raw depth: width·height little-endian float32 metres, row-major, no header (0 = invalid). The size
// comes from the caller (the camera); a file of another length throws xwam::Error naming it.
std::vector<float> read_depth_f32(const std::string& path, int width, int height);
void write_depth_f32(const std::string& path, const float* depth_m, int width, int height);

}  // namespace xwam::geometry
