// One training / inference sample cut from an episode: the condition frame and H future frames of
// every camera (resized, RGB in [−1, 1], metric depth), H + 1 normalized states and K normalized actions.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/data/ImageResize.h"
#include "engine/data/NormStats.h"

namespace xwam::data {

struct ClipSpec {
  int future_frames = 8;  // H
  int frame_skip = 4;     // env steps per video frame; K = H · frame_skip actions
  int width = 0, height = 0;         // model input size per view; 0 = the camera's own
  std::vector<std::string> cameras;  // views in model order; empty = the episode's order
  int start_stride = 1;  // a loader cuts clips starting every n-th frame (fewer, distinct clips)

  int num_actions() const { return future_frames * frame_skip; }
};

struct Clip {
  std::string episode, instruction;
  int start_frame = 0;
  int views = 0, frames = 0, height = 0, width = 0;  // frames = 1 + H (or 1 for a condition only)
  std::vector<std::string> camera_names;
  std::vector<float> rgb;      // [V, 3, F, h, w], in [−1, 1]
  std::vector<float> depth;    // [V, F, h, w] metres, 0 = invalid; empty when a view has no depth
  // [V, F, h, w] in [−1, 1] when every view's depth is 8-bit codes of unknown mapping (Episode::depth_code),
  // as the released loader feeds a depth video (data/robot_dataset.py: v/127.5 − 1, nearest resize, then
  // min–max over each view's frames to [−1, 1]; a constant view is 0). Empty otherwise.
  std::vector<float> depth_code;
  std::vector<float> states;   // [F, 16] normalized; state j at episode frame start + j·skip
  std::vector<float> actions;  // [K, 14] normalized; action k at episode frame start + k (empty: condition only)
  std::array<float, kStateDim> state_mask{};
  std::array<float, kActionDim> action_mask{};
};

// How many clip starts an episode offers (0 when it is shorter than one clip).
int num_clip_starts(const Episode& episode, const ClipSpec& spec);

// Cuts the clip starting at episode frame `start` (index into episode's frames). With
// `with_future == false` only the condition frame and state are filled (for inference from any frame).
// `crop` selects a window of every view before resizing (augmentation); nullptr = whole image.
// Throws xwam::Error naming the episode when a camera is missing or the range does not fit.
Clip make_clip(const Episode& episode, int start, const ClipSpec& spec, const NormStats& stats, bool with_future = true,
               const CropBox* crop = nullptr);

}  // namespace xwam::data
