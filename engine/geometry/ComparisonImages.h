// Pictures of a rollout against its recording, the same from every front: depth through the one
// colour scale (engine/core/Colormap.h, near = warm), depth-error heatmaps, the comparison frame of
// the video and the contact sheet. All at the rollout's resolution, the recording resized to it as the
// metrics compare (Comparison.h), enlarged by whole pixels so small model images stay readable.
//
//   write_comparison_video("cmp.mp4", episode, rollout, episode.fps);
//   const RgbImage sheet = contact_sheet(episode, rollout);
//   write_png("sheet.png", sheet.pixels.data(), sheet.width, sheet.height);
#pragma once
#include <string>
#include <utility>

#include "engine/data/Episode.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

// The 2nd and 98th percentile of the camera's valid depth over the episode: a stable colour range.
std::pair<float, float> depth_range(const data::Episode& episode, int camera);

// Depth in metres over [near_m, far_m] (near = warm); invalid (0) pixels black.
RgbImage depth_image(const float* depth, int width, int height, float near_m, float far_m);

// |predicted − recorded| depth of rollout frame k against episode frame t of `camera` (recorded depth
// sampled nearest at the predicted pixel when the sizes differ), 0 → cool, ≥ max_error_m → warm;
// black where either is invalid. Empty image when either has no depth.
RgbImage depth_error_image(const RolloutView& view, int k, const data::Episode& episode, int camera, int t,
                           float max_error_m);
// The error scale of a camera's heatmaps: 10 % of its depth range.
float heatmap_scale(const data::Episode& episode, int camera);

// The episode frame of predicted frame k, clamped into the loaded range.
int recorded_frame(const data::Episode& episode, const Rollout& rollout, int k);

// Predicted frame k against the recording: one row per view, columns recorded RGB | predicted RGB |
// predicted depth | depth error, labelled; even width and height (4:2:0 video).
RgbImage comparison_frame(const data::Episode& episode, const Rollout& rollout, int k);
// The frame rate at which the predicted frames play in real time: the episode's fps over the spacing of
// the predicted frames (one predicted frame per actions_per_frame control steps).
double real_time_fps(const data::Episode& episode, const Rollout& rollout);
// Every predicted frame's comparison_frame as an mp4 (H.264). Throws xwam::Error naming the path.
void write_comparison_video(const std::string& path, const data::Episode& episode, const Rollout& rollout, double fps);

// What-if, predicted frame k of two rollouts from the same start (WhatIfComparison.h): one row per view,
// columns recorded RGB | A | B, labelled with `label_a` / `label_b`; even width and height.
RgbImage what_if_frame(const data::Episode& episode, const Rollout& a, const Rollout& b, int k,
                       const std::string& label_a = "A", const std::string& label_b = "B");
// Every predicted frame's what_if_frame as an mp4 (H.264), in real time. Throws xwam::Error naming the path.
void write_what_if_video(const std::string& path, const data::Episode& episode, const Rollout& a, const Rollout& b,
                         const std::string& label_a = "A", const std::string& label_b = "B");

// All predicted frames at a glance: a column per frame; per view the rows recorded, predicted,
// predicted depth and depth error, labelled.
RgbImage contact_sheet(const data::Episode& episode, const Rollout& rollout);

// One depth-error heatmap PNG per view and predicted frame, DIR/<camera>/frame_KKK.png, plus
// DIR/heatmaps.json (the metres at the top of each camera's scale). DIR must be new or empty (the
// caller's OutputDir); throws xwam::Error naming the file.
void write_depth_error_heatmaps(const std::string& dir, const data::Episode& episode, const Rollout& rollout);

}  // namespace xwam::geometry
