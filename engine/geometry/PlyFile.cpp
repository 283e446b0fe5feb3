// PLY writer for our vertex layout and a reader for binary little-endian vertex-only files.
#include "engine/geometry/PlyFile.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

namespace xwam::geometry {

void write_ply(const std::string& path, const CloudFrame& cloud, bool with_view) {
  const size_t n = cloud.size();
  const bool with_error = !cloud.error.empty();
  std::ostringstream header;
  header << "ply\nformat binary_little_endian 1.0\ncomment X-WAM Studio fused cloud, world frame, metres\n"
         << "element vertex " << n << "\nproperty float x\nproperty float y\nproperty float z\n"
         << "property uchar red\nproperty uchar green\nproperty uchar blue\n";
  if (with_error) header << "property float error\n";
  if (with_view) header << "property uchar view\n";
  header << "end_header\n";

  // Interleave the vertex records in memory, then write once.
  const size_t record = 15 + (with_error ? 4 : 0) + (with_view ? 1 : 0);
  std::vector<char> body(n * record);
  char* p = body.data();
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(p, &cloud.xyz[3 * i], 12);
    std::memcpy(p + 12, &cloud.rgb[3 * i], 3);
    p += 15;
    if (with_error) {
      std::memcpy(p, &cloud.error[i], 4);
      p += 4;
    }
    if (with_view) *p++ = static_cast<char>(cloud.view[i]);
  }
  std::ofstream out(path, std::ios::binary);
  const std::string h = header.str();
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  if (!out) throw Error(path, "cannot write PLY");
}

namespace {
int scalar_size(const std::string& type) {
  if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
  if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
  if (type == "int" || type == "uint" || type == "float" || type == "int32" || type == "uint32" || type == "float32")
    return 4;
  if (type == "double" || type == "float64") return 8;
  return 0;
}
bool is_float(const std::string& t) { return t == "float" || t == "float32"; }
bool is_uchar(const std::string& t) { return t == "uchar" || t == "uint8"; }
}  // namespace

CloudFrame read_ply(const std::string& path) {
  const uint64_t file_size = regular_file_size(path, "PLY file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, "cannot open file");
  std::string line;
  // Header lines are short: a line longer than this means no PLY header (and no reading a huge file into one string).
  constexpr std::streamsize kMaxLine = 4096;
  auto next_line = [&]() -> bool {
    line.clear();
    char c;
    while (in.get(c) && c != '\n') {
      if (static_cast<std::streamsize>(line.size()) >= kMaxLine) throw Error(path, "PLY header line longer than 4096 bytes");
      line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return in || !line.empty();
  };
  next_line();
  if (line != "ply") throw Error(path, "not a PLY file");

  // Header: the vertex element's properties with their byte offsets; other elements must be empty.
  size_t vertices = 0, record = 0;
  bool in_vertex = false, binary_le = false;
  int off_x = -1, off_y = -1, off_z = -1, off_r = -1, off_g = -1, off_b = -1, off_err = -1, off_view = -1;
  bool header_ended = false;
  while (next_line()) {
    std::istringstream words(line);
    std::string word;
    words >> word;
    if (word == "end_header") {
      header_ended = true;
      break;
    }
    if (word == "format") {
      std::string fmt;
      words >> fmt;
      binary_le = fmt == "binary_little_endian";
    } else if (word == "element") {
      std::string name;
      size_t count = 0;
      words >> name >> count;
      in_vertex = name == "vertex";
      if (in_vertex) vertices = count;
      else if (count > 0) throw Error(path, "element '" + name + "' is not supported (vertex-only PLY expected)");
    } else if (word == "property" && in_vertex) {
      std::string type, name;
      words >> type >> name;
      if (type == "list") throw Error(path, "list properties are not supported in the vertex element");
      const int size = scalar_size(type);
      if (size == 0) throw Error(path, "unknown PLY property type '" + type + "'");
      const int at = static_cast<int>(record);
      if (is_float(type) && name == "x") off_x = at;
      if (is_float(type) && name == "y") off_y = at;
      if (is_float(type) && name == "z") off_z = at;
      if (is_uchar(type) && name == "red") off_r = at;
      if (is_uchar(type) && name == "green") off_g = at;
      if (is_uchar(type) && name == "blue") off_b = at;
      if (is_float(type) && name == "error") off_err = at;
      if (is_uchar(type) && name == "view") off_view = at;
      record += size;
    }
  }
  if (!header_ended) throw Error(path, "PLY header without end_header (truncated?)");
  if (!binary_le) throw Error(path, "only binary_little_endian PLY files are supported");
  if (off_x < 0 || off_y < 0 || off_z < 0) throw Error(path, "vertex element lacks float x, y, z");

  // The declared vertex count must fit the bytes after the header before anything is allocated.
  const uint64_t body_bytes = file_size - static_cast<uint64_t>(in.tellg());
  if (vertices > body_bytes / record)
    throw Error(path, "element vertex",
                "declares " + std::to_string(vertices) + " vertices of " + std::to_string(record) + " bytes but only " +
                    std::to_string(body_bytes) + " bytes follow the header (truncated?)");
  std::vector<char> body(vertices * record);
  if (!in.read(body.data(), static_cast<std::streamsize>(body.size())))
    throw Error(path, "truncated PLY: expected " + std::to_string(vertices) + " vertices");
  CloudFrame cloud;
  cloud.xyz.resize(3 * vertices);
  cloud.rgb.assign(3 * vertices, 255);
  cloud.view.assign(vertices, 0);
  if (off_err >= 0) cloud.error.resize(vertices);
  const bool has_rgb = off_r >= 0 && off_g >= 0 && off_b >= 0;
  for (size_t i = 0; i < vertices; ++i) {
    const char* r = body.data() + i * record;
    std::memcpy(&cloud.xyz[3 * i], r + off_x, 4);
    std::memcpy(&cloud.xyz[3 * i + 1], r + off_y, 4);
    std::memcpy(&cloud.xyz[3 * i + 2], r + off_z, 4);
    if (has_rgb) {
      cloud.rgb[3 * i] = static_cast<uint8_t>(r[off_r]);
      cloud.rgb[3 * i + 1] = static_cast<uint8_t>(r[off_g]);
      cloud.rgb[3 * i + 2] = static_cast<uint8_t>(r[off_b]);
    }
    if (off_err >= 0) std::memcpy(&cloud.error[i], r + off_err, 4);
    if (off_view >= 0) cloud.view[i] = static_cast<uint8_t>(r[off_view]);
  }
  return cloud;
}

}  // namespace xwam::geometry
