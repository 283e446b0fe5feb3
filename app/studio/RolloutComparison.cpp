#include "app/studio/RolloutComparison.h"

#include <algorithm>
#include <cmath>

#include "engine/data/ImageResize.h"

#include "engine/geometry/SequenceFusion.h"

namespace xwam::studio {

data::Episode episode_at_rollout_size(const data::Episode& episode, const geometry::Rollout& rollout) {
  data::Episode out = episode;
  for (const auto& view : rollout.views) {
    const int c = episode.camera_index(view.camera);
    if (c < 0) continue;
    data::CameraInfo& cam = out.cameras[c];
    const int W = cam.width, H = cam.height, w = view.width, h = view.height;
    if (W == w && H == h) continue;
    const size_t T = static_cast<size_t>(episode.num_frames);
    if (!episode.rgb[c].empty()) {
      std::vector<float> unit(static_cast<size_t>(w) * h * 3);
      std::vector<uint8_t>& rgb = out.rgb[c];
      rgb.assign(T * w * h * 3, 0);
      for (size_t t = 0; t < T; ++t) {
        data::resize_rgb_to_unit(episode.rgb_frame(c, static_cast<int>(t)), W, H, {}, w, h, unit.data());
        for (size_t i = 0; i < unit.size(); ++i)
          rgb[t * unit.size() + i] = static_cast<uint8_t>(std::clamp(std::lround((unit[i] + 1.f) * 127.5f), 0L, 255L));
      }
    }
    if (c < static_cast<int>(episode.depth.size()) && !episode.depth[c].empty()) {
      std::vector<float>& depth = out.depth[c];
      depth.assign(T * w * h, 0.f);
      for (size_t t = 0; t < T; ++t)
        data::resize_depth_nearest(episode.depth_frame(c, static_cast<int>(t)), W, H, {}, w, h,
                                   depth.data() + t * w * h);
    }
    // A resize, not a crop: the intrinsics scale with the size ratio.
    if (cam.intrinsics) {
      const double sx = static_cast<double>(w) / W, sy = static_cast<double>(h) / H;
      cam.intrinsics->fx *= sx, cam.intrinsics->cx *= sx;
      cam.intrinsics->fy *= sy, cam.intrinsics->cy *= sy;
    }
    cam.width = w;
    cam.height = h;
  }
  return out;
}

RolloutClouds fuse_rollout_clouds(const data::Episode& episode, const geometry::Rollout& rollout) {
  const geometry::FusionOptions options;
  auto predicted = std::make_shared<geometry::CloudSequence>(geometry::fuse_predicted(episode, rollout, options));
  std::vector<int> frames;
  for (int f : rollout.frame_indices) frames.push_back(std::clamp(f - episode.first_frame, 0, episode.num_frames - 1));
  std::vector<std::string> cameras;
  for (const auto& v : rollout.views) cameras.push_back(v.camera);
  auto recorded = std::make_shared<geometry::CloudSequence>(geometry::fuse_recorded(episode, frames, options, cameras));
  geometry::set_point_errors(*predicted, *recorded);
  return {predicted, recorded};
}

}  // namespace xwam::studio
