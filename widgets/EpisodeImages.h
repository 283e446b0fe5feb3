// Episode and rollout frames as QImages: RGB as stored, metric depth through a colormap (near = warm, far = cool).
#pragma once
#include <QImage>

#include "engine/data/Episode.h"
#include "engine/geometry/Rollout.h"

namespace xwam::widgets {

// Deep copy of camera `camera`'s RGB at frame t (Format_RGB888). Null image when RGB was not read.
QImage rgb_image(const data::Episode& episode, int camera, int t);

// Depth in metres mapped over [near_m, far_m] with a perceptual colormap; invalid (0) pixels black.
// Null image when the camera has no depth.
QImage depth_image(const data::Episode& episode, int camera, int t, float near_m, float far_m);

// Predicted frame k of rollout view `view`, the same way (null images when the view has no depth).
QImage rgb_image(const geometry::RolloutView& view, int k);
QImage depth_image(const geometry::RolloutView& view, int k, float near_m, float far_m);

// |predicted − recorded| depth of rollout frame k against episode frame t (recorded depth sampled
// nearest at the predicted pixel), 0 → cool, ≥ max_error_m → warm; black where either is invalid.
QImage depth_error_image(const geometry::RolloutView& view, int k, const data::Episode& episode, int camera, int t,
                         float max_error_m);

// The 2nd and 98th percentile of the camera's valid depth over the episode: a stable colour range.
std::pair<float, float> depth_range(const data::Episode& episode, int camera);

// The colormap itself, for legends: value in [0, 1] → RGB.
QRgb depth_color(float value01);

}  // namespace xwam::widgets
