// Episode sources whose headers declare more than they hold: HDF5 datasets of 2·10^7 frames backed by
// no data, a frame-count attribute of 2·10^7, a dataset episode claiming 2·10^7 frames; FIFOs given as
// scene or video files. Each is refused with an xwam::Error naming the file (and the key) before
// anything large is allocated, and without blocking.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/Hdf5.h"
#include "engine/data/VideoReader.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/synthetic/SceneGenerator.h"

using namespace xwam;
using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = fs::temp_directory_path() / ("xwam_malformed_data_" + std::to_string(::getpid()) + "_" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void expect_refused(const fs::path& file, const std::function<void()>& read, const std::vector<std::string>& words) {
  const auto start = std::chrono::steady_clock::now();
  std::string text = "(no error)";
  try {
    read();
  } catch (const Error& e) {
    text = e.what();
  }
  EXPECT_NE(text.find(file.string()), std::string::npos) << text;
  for (const auto& w : words) EXPECT_NE(text.find(w), std::string::npos) << "missing '" << w << "' in: " << text;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0) << text;
}

// A sound file of one small synthetic episode (16 frames of 16×16), for tests to damage or extend.
void write_one_episode(const fs::path& path) {
  synthetic::GeneratorOptions o;
  o.width = o.height = 16;
  o.frames = 16;
  EpisodeFileWriter w(path.string());
  w.add(synthetic::generate_episode(o, 5));
  w.commit();
}

}  // namespace

TEST(MalformedEpisode, DatasetExtentWithoutDataIsRefusedBeforeAllocating) {
  const auto path = temp_dir() / "declared.h5";
  {
    // A chunked, deflated dataset of 2·10^7 × 16 floats whose chunks were never written: 1.3 GB
    // declared by a file of a few kilobytes. And a contiguous one of the same extent.
    auto guard = h5::lock();
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {20000000, 16}, chunk[2] = {1024, 16};
    hid_t space = H5Screate_simple(2, dims, nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_deflate(dcpl, 4);
    H5Dclose(H5Dcreate2(file, "states", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    hid_t late = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_alloc_time(late, H5D_ALLOC_TIME_LATE);
    H5Dclose(H5Dcreate2(file, "actions", H5T_IEEE_F32LE, space, H5P_DEFAULT, late, H5P_DEFAULT));
    H5Pclose(late);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Fclose(file);
  }
  auto guard = h5::lock();
  const h5::Group root = h5::open_file(path.string());
  expect_refused(path, [&] { root.read<float>("states"); }, {"/states", "declares 320000000 elements"});
  expect_refused(path, [&] { root.read_rows<float>("states", 0, 10000000); }, {"/states", "declares"});
  expect_refused(path, [&] { root.read<float>("actions"); }, {"/actions", "declares"});
}

TEST(MalformedEpisode, FrameCountAttributeOutOfRangeIsRefused) {
  const auto path = temp_dir() / "scene.h5";
  write_one_episode(path);
  {
    auto guard = h5::lock();
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t group = H5Gopen2(file, "/episodes/ep_000000", H5P_DEFAULT);
    hid_t attr = H5Aopen(group, "num_frames", H5P_DEFAULT);
    const int64_t frames = 20000000000;  // beyond int: used to wrap to a small count
    H5Awrite(attr, H5T_NATIVE_INT64, &frames);
    H5Aclose(attr);
    H5Gclose(group);
    H5Fclose(file);
  }
  expect_refused(path, [&] { read_episode(path.string(), 0); }, {"num_frames"});
}

TEST(MalformedEpisode, DatasetEpisodeClaimingMillionsOfFramesIsRefused) {
  const auto root = temp_dir();
  fs::create_directories(root / "data" / "chunk-000");
  const auto file = root / "data" / "chunk-000" / "ep.json";
  std::ofstream(file) << R"({"num_frames": 20000000, "instructions": ["go"], "observations": {}})";
  expect_refused(file, [&] { read_xwam_episode(root.string(), "chunk-000/ep", {}); }, {"key num_frames"});
  std::ofstream(file) << R"({"num_frames": "many", "instructions": ["go"]})";
  expect_refused(file, [&] { read_xwam_episode(root.string(), "chunk-000/ep", {}); }, {"key num_frames"});
}

TEST(MalformedEpisode, FifosAreRefusedWithoutBlocking) {
  const auto dir = temp_dir();
  const auto scene = dir / "scene.h5", video = dir / "rgb.mp4";
  ASSERT_EQ(::mkfifo(scene.c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo(video.c_str(), 0600), 0);
  expect_refused(scene, [&] { EpisodeFileReader reader(scene.string()); }, {"FIFO"});
  expect_refused(video, [&] { VideoReader reader(video.string()); }, {"FIFO"});
  fs::create_symlink("/dev/zero", dir / "zero.h5");
  expect_refused(dir / "zero.h5", [&] { EpisodeFileReader reader((dir / "zero.h5").string()); }, {"character device"});
}

// Found by fuzzing: a damaged object header makes libhdf5 itself fail (here: a metadata entry of
// 512 GiB it cannot allocate). The error names the file and carries libhdf5's own reason.
TEST(MalformedEpisode, LibHdf5FailureIsNamedWithItsReason) {
  const fs::path input = fs::path(XWAM_SOURCE_DIR) / "fuzz" / "regressions" / "hdf5_episode" / "libhdf5_huge_cache_entry";
  const auto path = temp_dir() / "damaged.h5";
  fs::copy_file(input, path);
  expect_refused(path, [&] { EpisodeFileReader reader(path.string()); }, {"cannot open HDF5 file", "libhdf5: "});
}

// Found by fuzzing: a bit flip in a dataset's filter message left its deflated chunks to be read raw,
// ~100 stored bytes for a 192-byte chunk, and libhdf5 1.10 copied the whole extent out of its
// 100-byte buffer. Here the same state is written legitimately: a raw chunk stored shorter than its
// extent (direct chunk write), and a deflated dataset whose chunk's filter mask skips deflate.
TEST(MalformedEpisode, RawChunkShorterThanItsExtentIsRefused) {
  const auto path = temp_dir() / "short_chunk.h5";
  {
    auto guard = h5::lock();
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {4, 12}, chunk[2] = {1, 12};
    hid_t space = H5Screate_simple(2, dims, nullptr);
    const std::vector<float> row(12, 1.0f);
    for (const bool deflated : {false, true}) {
      hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
      H5Pset_chunk(dcpl, 2, chunk);
      if (deflated) H5Pset_deflate(dcpl, 4);
      hid_t ds = H5Dcreate2(file, deflated ? "deflated" : "raw", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      for (hsize_t r = 0; r < 4; ++r) {
        const hsize_t at[2] = {r, 0};
        // Row 2 stored with 20 of its 48 bytes; in the deflated dataset its mask turns deflate off.
        const size_t bytes = r == 2 ? 20 : 48;
        const uint32_t mask = deflated && r == 2 ? 1u : 0u;
        std::vector<unsigned char> stored(48);
        if (deflated && r != 2) {
          uLongf n = compressBound(48);
          stored.resize(n);
          ASSERT_EQ(compress2(stored.data(), &n, reinterpret_cast<const Bytef*>(row.data()), 48, 4), Z_OK);
          stored.resize(n);
        } else {
          std::memcpy(stored.data(), row.data(), 48);
          stored.resize(bytes);
        }
        ASSERT_GE(H5Dwrite_chunk(ds, H5P_DEFAULT, mask, at, stored.size(), stored.data()), 0);
      }
      H5Dclose(ds);
      H5Pclose(dcpl);
    }
    H5Sclose(space);
    H5Fclose(file);
  }
  const auto root = h5::open_file(path.string());
  for (const std::string name : {"raw", "deflated"}) {
    // The rows before the short chunk read; any read touching it is refused by name.
    EXPECT_EQ(root.read_rows<float>(name, 0, 2), std::vector<float>(24, 1.0f)) << name;
    expect_refused(path, [&] { root.read<float>(name); }, {name, "raw chunk at row 2 holds 20 bytes, its extent needs 48"});
    expect_refused(path, [&] { root.read_rows<float>(name, 1, 2); }, {name, "raw chunk at row 2"});
  }
}

// Found by fuzzing: a group whose link table libhdf5 cannot iterate, while looking its links up by name
// still works — so the probe never reached the camera group below it, where H5Aexists then read freed
// memory in this process. A walk that libhdf5 cannot finish now marks the file as damaged.
TEST(MalformedEpisode, FileLibHdf5CannotListIsRefused) {
  const fs::path input =
      fs::path(XWAM_SOURCE_DIR) / "fuzz" / "regressions" / "hdf5_episode" / "libhdf5_unlistable_group_hides_damaged_attribute";
  const auto path = temp_dir() / "unlistable.h5";
  fs::copy_file(input, path);
  expect_refused(path, [&] { EpisodeFileReader reader(path.string()); }, {"cannot list all of the file's objects"});
}

// The walk is strict only about what libhdf5 fails on: soft links (dangling ones too) and external
// links are not followed, so a sound file with them is read as before.
TEST(MalformedEpisode, SoftAndExternalLinksDoNotMakeASoundFileDamaged) {
  const auto dir = temp_dir();
  const auto path = dir / "linked.h5";
  write_one_episode(path);
  {
    auto guard = h5::lock();
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(H5Lcreate_soft("/episodes/nowhere", file, "dangling", H5P_DEFAULT, H5P_DEFAULT), 0);
    ASSERT_GE(H5Lcreate_soft("/episodes", file, "alias", H5P_DEFAULT, H5P_DEFAULT), 0);
    ASSERT_GE(H5Lcreate_external("missing.h5", "/x", file, "outside", H5P_DEFAULT, H5P_DEFAULT), 0);
    H5Fclose(file);
  }
  EpisodeFileReader reader(path.string());
  ASSERT_EQ(reader.num_episodes(), 1);
  EXPECT_EQ(reader.read(0).num_frames, 16);
}
