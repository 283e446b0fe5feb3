// Image and cloud files whose headers declare far more than they hold (a 30000×30000 PNG, a PLY of
// 10^8 vertices), headers that never end, FIFOs and /dev/zero: refused with an xwam::Error naming the
// file before anything large is allocated.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/PlyFile.h"
#include "tests/geometry/TempDir.h"

using namespace xwam;
using namespace xwam::geometry;

namespace {

void spit(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  return be32(static_cast<uint32_t>(data.size())) + body +
         be32(static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

void expect_refused(const std::filesystem::path& file, const std::function<void()>& read, const std::string& word) {
  const auto start = std::chrono::steady_clock::now();
  std::string text = "(no error)";
  try {
    read();
  } catch (const Error& e) {
    text = e.what();
  }
  EXPECT_NE(text.find(file.string()), std::string::npos) << text;
  EXPECT_NE(text.find(word), std::string::npos) << text;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0) << text;
}

}  // namespace

TEST(MalformedFiles, PngDeclaringMorePixelsThanItsDataCanHoldIsRefused) {
  const auto path = test::temp_dir() / "huge.png";
  std::string ihdr = be32(30000) + be32(30000) + std::string{8, 2, 0, 0, 0};
  std::string pixels(64, '\0');
  uLongf size = compressBound(pixels.size());
  std::string z(size, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(pixels.data()), pixels.size());
  z.resize(size);
  spit(path, std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", ""));
  expect_refused(path, [&] { read_png(path.string()); }, "30000x30000");
}

TEST(MalformedFiles, PlyDeclaringMoreVerticesThanItsBytesIsRefused) {
  const auto dir = test::temp_dir();
  const std::string header = "ply\nformat binary_little_endian 1.0\nelement vertex 100000000\nproperty float x\n"
                             "property float y\nproperty float z\nend_header\n";
  spit(dir / "many.ply", header + std::string(120, '\0'));
  expect_refused(dir / "many.ply", [&] { read_ply((dir / "many.ply").string()); }, "element vertex");
  spit(dir / "endless.ply", "ply\n" + std::string(1 << 20, 'x'));
  expect_refused(dir / "endless.ply", [&] { read_ply((dir / "endless.ply").string()); }, "header line");
  spit(dir / "unended.ply", "ply\nformat binary_little_endian 1.0\n");
  expect_refused(dir / "unended.ply", [&] { read_ply((dir / "unended.ply").string()); }, "end_header");
}

TEST(MalformedFiles, FifosAndDevicesAreRefusedWithoutBlocking) {
  const auto dir = test::temp_dir();
  ASSERT_EQ(::mkfifo((dir / "cloud.ply").c_str(), 0600), 0);
  expect_refused(dir / "cloud.ply", [&] { read_ply((dir / "cloud.ply").string()); }, "FIFO");
  std::filesystem::create_symlink("/dev/zero", dir / "rgb.png");
  expect_refused(dir / "rgb.png", [&] { read_png((dir / "rgb.png").string()); }, "character device");
  std::filesystem::create_symlink("/dev/zero", dir / "depth.f32");
  expect_refused(dir / "depth.f32", [&] { read_depth_f32((dir / "depth.f32").string(), 4, 4); }, "character device");
}
