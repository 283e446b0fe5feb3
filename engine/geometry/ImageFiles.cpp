// PNG decoding/encoding (zlib for the compressed stream, own chunk and filter handling) and raw depth.
#include "engine/geometry/ImageFiles.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "raw depth and PLY I/O assume a little-endian host");

namespace xwam::geometry {

namespace {
constexpr uint8_t kPngSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

// Images and depth maps of one frame: far below this. A device or FIFO is refused before reading.
constexpr uint64_t kMaxImageFileBytes = 1ull << 30;
// Deflate expands at most 1032:1, so the pixels a PNG declares must be backed by its compressed bytes.
constexpr uint64_t kMaxDeflateRatio = 1032;

std::vector<uint8_t> read_all(const std::string& path) {
  const std::string bytes = read_regular_file(path, kMaxImageFileBytes, "image file");
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
  return static_cast<uint8_t>(pb <= pc ? b : c);
}

void append_chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
  put_be32(out, static_cast<uint32_t>(data.size()));
  const size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, static_cast<uint32_t>(crc32(0, out.data() + type_at, static_cast<uInt>(4 + data.size()))));
}
}  // namespace

RgbImage read_png(const std::string& path) {
  const std::vector<uint8_t> file = read_all(path);
  if (file.size() < 8 || std::memcmp(file.data(), kPngSignature, 8) != 0) throw Error(path, "not a PNG file");

  // Walk the chunks: IHDR first, IDAT concatenated, IEND last.
  int width = 0, height = 0, colour = -1;
  std::vector<uint8_t> compressed;
  for (size_t at = 8; at + 12 <= file.size();) {
    const uint32_t length = be32(&file[at]);
    if (at + 12 + length > file.size()) throw Error(path, "truncated PNG chunk");
    const std::string type(reinterpret_cast<const char*>(&file[at + 4]), 4);
    const uint8_t* data = &file[at + 8];
    if (type == "IHDR") {
      if (length < 13) throw Error(path, "bad PNG header");
      width = static_cast<int>(be32(data));
      height = static_cast<int>(be32(data + 4));
      const int bit_depth = data[8], interlace = data[12];
      colour = data[9];
      if (bit_depth != 8) throw Error(path, "only 8-bit PNGs are supported, found bit depth " + std::to_string(bit_depth));
      if (interlace != 0) throw Error(path, "interlaced PNGs are not supported");
      if (colour != 0 && colour != 2 && colour != 4 && colour != 6)
        throw Error(path, "unsupported PNG colour type " + std::to_string(colour) + " (palette?)");
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), data, data + length);
    } else if (type == "IEND") {
      break;
    }
    at += 12 + length;
  }
  if (width <= 0 || height <= 0 || compressed.empty()) throw Error(path, "PNG without header or image data");

  const int channels = colour == 0 ? 1 : colour == 4 ? 2 : colour == 2 ? 3 : 4;
  const size_t stride = static_cast<size_t>(width) * channels;
  // Declared size checked against the compressed bytes present before the image is allocated.
  const uint64_t raw_bytes = static_cast<uint64_t>(height) * (stride + 1);
  if (raw_bytes / kMaxDeflateRatio > compressed.size() || raw_bytes > kMaxImageFileBytes)
    throw Error(path, "IHDR", std::to_string(width) + "x" + std::to_string(height) + " pixels cannot come from " +
                                  std::to_string(compressed.size()) + " compressed bytes (corrupt header)");
  std::vector<uint8_t> raw(raw_bytes);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, compressed.data(), static_cast<uLong>(compressed.size())) != Z_OK ||
      raw_size != raw.size())
    throw Error(path, "corrupt PNG image data");

  // Undo the per-row filters in place (bpp = channels for 8-bit images).
  std::vector<uint8_t> plane(static_cast<size_t>(height) * stride);
  for (int y = 0; y < height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* src = &raw[y * (stride + 1) + 1];
    uint8_t* row = &plane[y * stride];
    const uint8_t* up = y > 0 ? &plane[(y - 1) * stride] : nullptr;
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(channels) ? row[x - channels] : 0;
      const int b = up ? up[x] : 0;
      const int c = (up && x >= static_cast<size_t>(channels)) ? up[x - channels] : 0;
      switch (filter) {
        case 0: row[x] = src[x]; break;
        case 1: row[x] = static_cast<uint8_t>(src[x] + a); break;
        case 2: row[x] = static_cast<uint8_t>(src[x] + b); break;
        case 3: row[x] = static_cast<uint8_t>(src[x] + ((a + b) >> 1)); break;
        case 4: row[x] = static_cast<uint8_t>(src[x] + paeth(a, b, c)); break;
        default: throw Error(path, "bad PNG filter type " + std::to_string(filter));
      }
    }
  }

  RgbImage image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (size_t p = 0; p < static_cast<size_t>(width) * height; ++p) {
    const uint8_t* s = &plane[p * channels];
    for (int c = 0; c < 3; ++c) image.pixels[3 * p + c] = channels >= 3 ? s[c] : s[0];
  }
  return image;
}

void write_png(const std::string& path, const uint8_t* rgb, int width, int height) {
  if (width <= 0 || height <= 0) throw Error(path, "cannot write an empty image");
  // Sizes first: rows of a huge image would address past any buffer (and past the pointer range).
  if (static_cast<uint64_t>(width) * static_cast<uint64_t>(height) * 3 > kMaxImageFileBytes)
    throw Error(path, "image of " + std::to_string(width) + "×" + std::to_string(height) + " pixels exceeds the " +
                          std::to_string(kMaxImageFileBytes >> 20) + " MiB limit of an image file");
  // Filter "Up" on every row but the first: cheap and compresses smooth images well.
  const size_t stride = static_cast<size_t>(width) * 3;
  std::vector<uint8_t> raw(static_cast<size_t>(height) * (stride + 1));
  for (int y = 0; y < height; ++y) {
    uint8_t* dst = &raw[y * (stride + 1)];
    const uint8_t* row = rgb + y * stride;
    dst[0] = y > 0 ? 2 : 0;
    for (size_t x = 0; x < stride; ++x) dst[1 + x] = static_cast<uint8_t>(row[x] - (y > 0 ? row[x - stride] : 0));
  }
  std::vector<uint8_t> compressed(compressBound(static_cast<uLong>(raw.size())));
  uLongf compressed_size = static_cast<uLongf>(compressed.size());
  if (compress2(compressed.data(), &compressed_size, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK)
    throw Error(path, "PNG compression failed");
  compressed.resize(compressed_size);

  std::vector<uint8_t> out(kPngSignature, kPngSignature + 8);
  std::vector<uint8_t> header;
  put_be32(header, static_cast<uint32_t>(width));
  put_be32(header, static_cast<uint32_t>(height));
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8-bit, RGB, deflate, standard filters, no interlace
  append_chunk(out, "IHDR", header);
  append_chunk(out, "IDAT", compressed);
  append_chunk(out, "IEND", {});

  std::ofstream file(path, std::ios::binary);
  if (!file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size())))
    throw Error(path, "cannot write PNG");
}

std::vector<float> read_depth_f32(const std::string& path, int width, int height) {
  const std::vector<uint8_t> bytes = read_all(path);
  const size_t expected = static_cast<size_t>(width) * height * sizeof(float);
  if (bytes.size() != expected)
    throw Error(path, "expected " + std::to_string(width) + "x" + std::to_string(height) + " float32 depth (" +
                          std::to_string(expected) + " bytes), found " + std::to_string(bytes.size()) + " bytes");
  std::vector<float> depth(static_cast<size_t>(width) * height);
  std::memcpy(depth.data(), bytes.data(), expected);
  return depth;
}

void write_depth_f32(const std::string& path, const float* depth_m, int width, int height) {
  std::ofstream file(path, std::ios::binary);
  const auto bytes = static_cast<std::streamsize>(static_cast<size_t>(width) * height * sizeof(float));
  if (!file.write(reinterpret_cast<const char*>(depth_m), bytes)) throw Error(path, "cannot write depth");
}

}  // namespace xwam::geometry
