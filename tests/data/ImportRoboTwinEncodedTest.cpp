// RoboTwin 2.0 episodes whose frames are stored as encoded images (fixed-length byte strings, as
// h5py writes them): colour PNG and 16-bit depth PNG decoded value by value; a one-arm file is masked.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"
#include "engine/data/importers/ImageDecoder.h"
#include "engine/data/importers/RoboTwinImporter.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

constexpr int T = 3, W = 5, H = 4;

void put_be32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xFF));
}

uint32_t crc32(const std::string& bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

// A minimal PNG: rows with filter 0, zlib stream of one stored (uncompressed) deflate block.
std::string png(int bit_depth, int colour_type, int bytes_per_pixel, const std::vector<uint8_t>& pixels) {
  std::string raw;
  for (int y = 0; y < H; ++y) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char*>(pixels.data()) + y * W * bytes_per_pixel, W * bytes_per_pixel);
  }
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  std::string zlib = {0x78, 0x01, 0x01};
  const uint16_t len = static_cast<uint16_t>(raw.size()), nlen = static_cast<uint16_t>(~len);
  zlib += {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8), static_cast<char>(nlen & 0xFF), static_cast<char>(nlen >> 8)};
  zlib += raw;
  put_be32(zlib, (b << 16) | a);

  std::string out = "\x89PNG\r\n\x1a\n";
  auto chunk = [&](const std::string& type, const std::string& data) {
    put_be32(out, static_cast<uint32_t>(data.size()));
    out += type + data;
    put_be32(out, crc32(type + data));
  };
  std::string ihdr;
  put_be32(ihdr, W);
  put_be32(ihdr, H);
  ihdr += {static_cast<char>(bit_depth), static_cast<char>(colour_type), 0, 0, 0};
  chunk("IHDR", ihdr);
  chunk("IDAT", zlib);
  chunk("IEND", "");
  return out;
}

// h5py's `dtype='S<n>'`: fixed-length, zero-padded byte strings.
void write_fixed_strings(const std::string& file, const std::string& dataset, const std::vector<std::string>& items) {
  size_t width = 0;
  for (const auto& s : items) width = std::max(width, s.size() + 3);  // some padding, as the longest gets none
  std::string buffer(width * items.size(), '\0');
  for (size_t i = 0; i < items.size(); ++i) buffer.replace(i * width, items[i].size(), items[i]);
  auto lock = h5::lock();
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  const hsize_t n = items.size();
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t d = H5Dcreate2(f, dataset.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(d, 0);
  ASSERT_GE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), 0);
  H5Dclose(d);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(f);
}

uint8_t colour(int t, int i) { return static_cast<uint8_t>(17 * t + 3 * i); }
uint16_t depth_mm(int t, int i) { return static_cast<uint16_t>(300 + 1000 * t + 7 * i); }

}  // namespace

TEST(ImportRoboTwinEncoded, PngColourAndDepthFramesDecodeExactly) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_import_enc_" + std::to_string(::getpid())) / "beat_block" / "demo_clean" / "data";
  fs::create_directories(dir);
  const std::string path = (dir / "episode4.hdf5").string();
  std::vector<std::string> rgb_frames, depth_frames;
  for (int t = 0; t < T; ++t) {
    std::vector<uint8_t> rgb(W * H * 3), depth(W * H * 2);
    for (int i = 0; i < W * H * 3; ++i) rgb[i] = colour(t, i);
    for (int i = 0; i < W * H; ++i) {  // PNG stores 16-bit samples big-endian
      depth[2 * i] = static_cast<uint8_t>(depth_mm(t, i) >> 8);
      depth[2 * i + 1] = static_cast<uint8_t>(depth_mm(t, i) & 0xFF);
    }
    rgb_frames.push_back(png(8, 2, 3, rgb));
    depth_frames.push_back(png(16, 0, 2, depth));
  }
  {
    auto lock = h5::lock();
    h5::Group root = h5::create_file(path);
    std::vector<double> left, grip = {0.0, 0.5, 0.5};
    for (int t = 0; t < T; ++t) left.insert(left.end(), {0.0, 0.0, 0.02 * t, 1, 0, 0, 0});
    h5::Group endpose = root.create_group("endpose");
    endpose.write<double>("left_endpose", {T, 7}, left.data());
    endpose.write<double>("left_gripper", {T}, grip.data());
    root.create_group("observation").create_group("front_camera");
  }
  write_fixed_strings(path, "observation/front_camera/rgb", rgb_frames);
  write_fixed_strings(path, "observation/front_camera/depth", depth_frames);

  ImportOptions opt;
  opt.depth_scale = 0.001;
  const Episode ep = import_robotwin_episode(path, opt);
  EXPECT_EQ(ep.instruction, "beat_block") << "no instructions folder: the task name";
  EXPECT_TRUE(ep.arm_present(0));
  EXPECT_FALSE(ep.arm_present(1));
  EXPECT_EQ(ep.action_mask[7], 0);
  EXPECT_NEAR(ep.action(0)[2], 0.02, 1e-7);
  EXPECT_NEAR(ep.action(0)[6], 0.5, 1e-7);
  EXPECT_NEAR(ep.action(1)[6], 0.0, 1e-7);
  ASSERT_EQ(ep.cameras.size(), 1u);
  EXPECT_EQ(ep.cameras[0].width, W);
  EXPECT_EQ(ep.cameras[0].height, H);
  EXPECT_TRUE(ep.cameras[0].has_depth);
  EXPECT_FALSE(ep.cameras[0].intrinsics.has_value()) << "no intrinsic_cv: left absent for the caller";
  EXPECT_FALSE(ep.cameras[0].T_world_cam.has_value());
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < W * H * 3; ++i) ASSERT_EQ(ep.rgb_frame(0, t)[i], colour(t, i)) << "frame " << t << " byte " << i;
    for (int i = 0; i < W * H; ++i) ASSERT_NEAR(ep.depth_frame(0, t)[i], depth_mm(t, i) * 0.001, 1e-6) << "frame " << t;
  }
  fs::remove_all(dir.parent_path().parent_path().parent_path());
}

TEST(ImportRoboTwinEncoded, ColourPngAsDepthIsRefusedNamingTheKey) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_import_enc_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "episode0.hdf5").string();
  std::vector<std::string> frames;
  for (int t = 0; t < T; ++t) frames.push_back(png(8, 2, 3, std::vector<uint8_t>(W * H * 3, 40)));
  {
    auto lock = h5::lock();
    h5::Group root = h5::create_file(path);
    std::vector<double> left(T * 7, 0.0);
    for (int t = 0; t < T; ++t) left[t * 7 + 3] = 1.0;
    root.create_group("endpose").write<double>("left_endpose", {T, 7}, left.data());
    root.create_group("observation").create_group("head_camera");
  }
  write_fixed_strings(path, "observation/head_camera/rgb", frames);
  write_fixed_strings(path, "observation/head_camera/depth", frames);
  try {
    import_robotwin_episode(path, {});
    FAIL() << "a colour image is no depth map";
  } catch (const xwam::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("episode0.hdf5"), std::string::npos) << msg;
    EXPECT_NE(msg.find("head_camera"), std::string::npos) << msg;
    EXPECT_NE(msg.find("depth"), std::string::npos) << msg;
  }
  fs::remove_all(dir);
}

TEST(ImportRoboTwinEncoded, UndecodableFrameBytesAreRefused) {
  EXPECT_THROW(decode_image("GIF89a not ours", "ep0: camera head_camera frame 3"), xwam::Error);
  // A JPEG start marker followed by garbage is corrupt, not a crash.
  EXPECT_THROW(decode_image(std::string("\xFF\xD8\xFF\x00garbage", 11), "ep0: frame 0"), xwam::Error);
}
