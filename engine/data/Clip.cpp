#include "engine/data/Clip.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace xwam::data {

int num_clip_starts(const Episode& episode, const ClipSpec& spec) {
  return std::max(0, episode.num_frames - spec.future_frames * spec.frame_skip);
}

Clip make_clip(const Episode& ep, int start, const ClipSpec& spec, const NormStats& stats, bool with_future,
               const CropBox* crop) {
  const std::string where = "episode " + ep.name;
  const int span = with_future ? spec.future_frames * spec.frame_skip : 0;
  if (start < 0 || start + span >= ep.num_frames + (with_future ? 0 : 1))
    throw Error("", where, "clip at frame " + std::to_string(start) + " needs frames up to " +
                              std::to_string(start + span) + " but the episode has " + std::to_string(ep.num_frames));

  Clip clip;
  clip.episode = ep.name;
  clip.instruction = ep.instruction;
  clip.start_frame = ep.first_frame + start;
  clip.frames = with_future ? 1 + spec.future_frames : 1;

  std::vector<int> cams;
  if (spec.cameras.empty()) {
    for (size_t c = 0; c < ep.cameras.size(); ++c) cams.push_back(static_cast<int>(c));
  } else {
    for (const auto& name : spec.cameras) {
      int c = ep.camera_index(name);
      if (c < 0) throw Error("", where, "missing camera '" + name + "' that the model needs");
      cams.push_back(c);
    }
  }
  clip.views = static_cast<int>(cams.size());
  clip.width = spec.width > 0 ? spec.width : ep.cameras[cams[0]].width;
  clip.height = spec.height > 0 ? spec.height : ep.cameras[cams[0]].height;
  bool all_depth = true, all_code = true;
  for (int c : cams) {
    clip.camera_names.push_back(ep.cameras[c].name);
    all_depth &= ep.depth_frame(c, 0) != nullptr;
    all_code &= ep.depth_code_frame(c, 0) != nullptr;
  }

  const size_t plane = static_cast<size_t>(clip.width) * clip.height;
  clip.rgb.resize(static_cast<size_t>(clip.views) * 3 * clip.frames * plane);
  if (all_depth) clip.depth.resize(static_cast<size_t>(clip.views) * clip.frames * plane);
  if (all_code) clip.depth_code.resize(static_cast<size_t>(clip.views) * clip.frames * plane);
  std::vector<float> hwc(plane * 3), code_unit;
  for (int v = 0; v < clip.views; ++v) {
    const auto& cam = ep.cameras[cams[v]];
    if (ep.rgb[cams[v]].empty()) throw Error("", where + " camera " + cam.name, "RGB frames were not read");
    for (int f = 0; f < clip.frames; ++f) {
      const int t = start + f * spec.frame_skip;
      resize_rgb_to_unit(ep.rgb_frame(cams[v], t), cam.width, cam.height, crop ? *crop : CropBox{}, clip.width,
                         clip.height, hwc.data());
      // Interleaved HWC → planar [3, F, h, w] for this view.
      for (int ch = 0; ch < 3; ++ch) {
        float* dst = clip.rgb.data() + ((static_cast<size_t>(v) * 3 + ch) * clip.frames + f) * plane;
        for (size_t i = 0; i < plane; ++i) dst[i] = hwc[i * 3 + ch];
      }
      if (all_depth) {
        resize_depth_nearest(ep.depth_frame(cams[v], t), cam.width, cam.height, crop ? *crop : CropBox{}, clip.width,
                             clip.height, clip.depth.data() + (static_cast<size_t>(v) * clip.frames + f) * plane);
      }
      if (all_code) {
        const uint8_t* code = ep.depth_code_frame(cams[v], t);
        code_unit.resize(static_cast<size_t>(cam.width) * cam.height);
        for (size_t i = 0; i < code_unit.size(); ++i) code_unit[i] = code[i] / 127.5f - 1.0f;
        resize_depth_nearest(code_unit.data(), cam.width, cam.height, crop ? *crop : CropBox{}, clip.width, clip.height,
                             clip.depth_code.data() + (static_cast<size_t>(v) * clip.frames + f) * plane);
      }
    }
    if (all_code) {
      // Per view over all its frames, as _normalize_depths_per_view.
      float* first = clip.depth_code.data() + static_cast<size_t>(v) * clip.frames * plane;
      float* last = first + static_cast<size_t>(clip.frames) * plane;
      const auto [lo, hi] = std::minmax_element(first, last);
      const float min = *lo, range = *hi - *lo;
      for (float* p = first; p != last; ++p) *p = range > 1e-6f ? 2.0f * (*p - min) / range - 1.0f : 0.0f;
    }
  }

  clip.states.resize(static_cast<size_t>(clip.frames) * kStateDim);
  for (int f = 0; f < clip.frames; ++f)
    stats.normalize_state(ep.state(start + f * spec.frame_skip), clip.states.data() + static_cast<size_t>(f) * kStateDim);
  if (with_future) {
    clip.actions.resize(static_cast<size_t>(spec.num_actions()) * kActionDim);
    for (int k = 0; k < spec.num_actions(); ++k)
      stats.normalize_action(ep.action(start + k), clip.actions.data() + static_cast<size_t>(k) * kActionDim);
  }
  for (int d = 0; d < kStateDim; ++d) clip.state_mask[d] = ep.state_mask[d];
  for (int d = 0; d < kActionDim; ++d) clip.action_mask[d] = ep.action_mask[d];
  return clip;
}

}  // namespace xwam::data
