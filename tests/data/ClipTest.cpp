// Clips: frame/action alignment (4 actions per video frame), resizing, normalization, bad requests.
#include <gtest/gtest.h>

#include "engine/core/Error.h"
#include "engine/data/Clip.h"

using namespace xwam::data;

namespace {

// RGB value of every pixel = frame index; depth = 1 + frame/100; state[0] = frame; action[0] = frame.
Episode counting_episode(int T, int W, int H) {
  Episode ep;
  ep.name = "count";
  ep.num_frames = ep.total_frames = T;
  for (const char* name : {"main", "wrist"}) {
    CameraInfo cam;
    cam.name = name;
    cam.width = W;
    cam.height = H;
    cam.has_depth = true;
    ep.cameras.push_back(cam);
    std::vector<uint8_t> rgb(static_cast<size_t>(T) * W * H * 3);
    std::vector<float> depth(static_cast<size_t>(T) * W * H);
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < W * H; ++i) {
        for (int c = 0; c < 3; ++c) rgb[(static_cast<size_t>(t) * W * H + i) * 3 + c] = static_cast<uint8_t>(t);
        depth[static_cast<size_t>(t) * W * H + i] = 1.f + t / 100.f;
      }
    ep.rgb.push_back(rgb);
    ep.depth.push_back(depth);
  }
  ep.states.assign(static_cast<size_t>(T) * kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(T) * kActionDim, 0.f);
  for (int t = 0; t < T; ++t) {
    ep.states[t * kStateDim] = static_cast<float>(t);
    ep.actions[t * kActionDim] = static_cast<float>(t);
  }
  ep.state_mask.fill(1);
  ep.action_mask.fill(1);
  return ep;
}

NormStats identity_stats() {
  NormStats s;
  s.state_q01.fill(-1.f);
  s.state_q99.fill(1.f);
  s.action_q01.fill(-1.f);
  s.action_q99.fill(1.f);
  return s;
}

}  // namespace

TEST(Clip, FramesStatesAndActionsAlign) {
  Episode ep = counting_episode(40, 16, 12);
  ClipSpec spec;  // H = 8, skip 4, K = 32
  EXPECT_EQ(num_clip_starts(ep, spec), 8);
  Clip clip = make_clip(ep, 5, spec, identity_stats());
  EXPECT_EQ(clip.frames, 9);
  EXPECT_EQ(clip.views, 2);
  const size_t plane = 16 * 12;
  for (int f = 0; f < 9; ++f) {
    const float expected = (5 + 4 * f) / 127.5f - 1.f;
    EXPECT_NEAR(clip.rgb[(1 * 3 + 2) * 9 * plane + f * plane + 7], expected, 1e-6) << "view 1, blue, frame " << f;
    EXPECT_NEAR(clip.depth[(1 * 9 + f) * plane], 1.f + (5 + 4 * f) / 100.f, 1e-6);
    EXPECT_NEAR(clip.states[f * kStateDim], 5 + 4 * f, 1e-4);  // identity normalization over [−1, 1]
  }
  ASSERT_EQ(clip.actions.size(), 32u * kActionDim);
  for (int k = 0; k < 32; ++k) EXPECT_NEAR(clip.actions[k * kActionDim], 5 + k, 1e-4);
  EXPECT_THROW(make_clip(ep, 8, spec, identity_stats()), xwam::Error);  // would need frame 40
  Clip cond = make_clip(ep, 39, spec, identity_stats(), false);         // a condition fits anywhere
  EXPECT_EQ(cond.frames, 1);
  EXPECT_TRUE(cond.actions.empty());
}

TEST(Clip, ResizesToTheModelSizeAndChecksCameras) {
  Episode ep = counting_episode(40, 32, 24);
  ClipSpec spec;
  spec.width = 8;
  spec.height = 6;
  spec.cameras = {"wrist", "main"};
  Clip clip = make_clip(ep, 0, spec, identity_stats());
  EXPECT_EQ(clip.width, 8);
  EXPECT_EQ(clip.height, 6);
  EXPECT_EQ(clip.camera_names, (std::vector<std::string>{"wrist", "main"}));
  EXPECT_EQ(clip.rgb.size(), 2u * 3 * 9 * 48);
  spec.cameras = {"main", "side"};
  try {
    make_clip(ep, 0, spec, identity_stats());
    FAIL();
  } catch (const xwam::Error& e) {
    EXPECT_NE(std::string(e.what()).find("side"), std::string::npos);
  }
}

TEST(ImageResize, BilinearKeepsAGradientAndDepthStaysNearest) {
  // A horizontal ramp 0..255 over 256 px downsampled ×4: pixel centres map to centres.
  std::vector<uint8_t> ramp(256 * 2 * 3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 256; ++x)
      for (int c = 0; c < 3; ++c) ramp[(y * 256 + x) * 3 + c] = static_cast<uint8_t>(x);
  std::vector<float> out(64 * 2 * 3);
  resize_rgb_to_unit(ramp.data(), 256, 2, {}, 64, 2, out.data());
  EXPECT_NEAR((out[(0 * 64 + 10) * 3] + 1) * 127.5, 10 * 4 + 1.5, 1e-3);
  std::vector<float> depth = {1, 1, 5, 5};  // a step edge
  std::vector<float> d_out(2);
  resize_depth_nearest(depth.data(), 4, 1, {}, 2, 1, d_out.data());
  EXPECT_EQ(d_out[0], 1.f);
  EXPECT_EQ(d_out[1], 5.f);  // never the invented 3
}
