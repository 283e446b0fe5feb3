// mp4 out and in: frames come back by index within codec loss, seeking never decodes from the start,
// and broken files are refused by name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/VideoReader.h"
#include "engine/data/VideoWriter.h"

using namespace xwam::data;
namespace fs = std::filesystem;

namespace {

// A smooth moving pattern: codecs keep it well, and every frame differs.
std::vector<uint8_t> pattern(int w, int h, int t) {
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = rgb.data() + (static_cast<size_t>(y) * w + x) * 3;
      p[0] = static_cast<uint8_t>(128 + 100 * std::sin(0.05 * x + 0.2 * t));
      p[1] = static_cast<uint8_t>(128 + 100 * std::cos(0.07 * y - 0.1 * t));
      p[2] = static_cast<uint8_t>((4 * t) % 256);
    }
  return rgb;
}

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * double(a[i] - b[i]);
  return 10 * std::log10(255.0 * 255.0 / (se / a.size() + 1e-12));
}

std::string temp(const std::string& name) {
  return (fs::temp_directory_path() / ("xwam_video_" + std::to_string(::getpid()) + "_" + name)).string();
}

}  // namespace

TEST(Video, FramesComeBackByIndexWithinCodecLoss) {
  const std::string path = temp("clip.mp4");
  const int W = 64, H = 48, T = 60;
  {
    VideoWriter out(path, W, H, {10.0, 0.9, 12});
    for (int t = 0; t < T; ++t) out.add(pattern(W, H, t).data());
    EXPECT_FALSE(fs::exists(path)) << "the file must appear only when finished";
    out.finish();
  }
  VideoReader in(path);
  EXPECT_EQ(in.width(), W);
  EXPECT_EQ(in.height(), H);
  EXPECT_NEAR(in.fps(), 10.0, 1e-6);
  ASSERT_EQ(in.num_frames(), T);
  for (int t : {0, 37, 5, 59, 36}) {
    const double p = psnr(in.frame(t), pattern(W, H, t));
    EXPECT_GT(p, 30.0) << "frame " << t;
    // The neighbour frame differs more than the codec loss: the index is right, not just close.
    if (t + 1 < T) EXPECT_GT(p, psnr(in.frame(t), pattern(W, H, t + 1)) + 3.0) << "frame " << t;
  }
  fs::remove(path);
}

TEST(Video, StridedAccessSeeksInsteadOfDecodingEverything) {
  const std::string path = temp("long.mp4");
  const int W = 32, H = 32, T = 200;
  {
    VideoWriter out(path, W, H, {20.0, 0.5, 12});
    for (int t = 0; t < T; ++t) out.add(pattern(W, H, t).data());
    out.finish();
  }
  VideoReader in(path);
  in.frame(150);
  EXPECT_LT(in.frames_decoded(), 20) << "a seek lands on the key frame before 150";
  for (int t = 151; t < 160; t += 4) in.frame(t);
  EXPECT_LT(in.frames_decoded(), 35) << "forward strides continue decoding";
  fs::remove(path);
}

TEST(Video, BadFilesAndRequestsAreRefusedByName) {
  const std::string junk = temp("junk.mp4");
  std::ofstream(junk) << "this is not a video";
  try {
    VideoReader r(junk);
    FAIL();
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find(junk), std::string::npos);
  }
  const std::string path = temp("short.mp4");
  {
    VideoWriter out(path, 16, 16);
    for (int t = 0; t < 5; ++t) out.add(pattern(16, 16, t).data());
    out.finish();
  }
  VideoReader in(path);
  EXPECT_THROW(in.frame(5), xwam::Error);
  EXPECT_THROW(VideoWriter(temp("odd.mp4"), 15, 16), xwam::Error);
  fs::remove(junk);
  fs::remove(path);
}
