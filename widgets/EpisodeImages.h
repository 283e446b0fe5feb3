// Episode and rollout frames as QImages: RGB as stored, metric depth and depth errors through the one
// colour scale (engine/core/Colormap.h, near = warm). The pictures themselves come from the engine
// (geometry/ComparisonImages.h), so the studio shows what the CLI writes.
#pragma once
#include <QImage>

#include "engine/data/Episode.h"
#include "engine/geometry/ComparisonImages.h"
#include "engine/geometry/Rollout.h"

namespace xwam::widgets {

// Deep copy of camera `camera`'s RGB at frame t (Format_RGB888). Null image when RGB was not read.
QImage rgb_image(const data::Episode& episode, int camera, int t);

// Depth in metres mapped over [near_m, far_m]; invalid (0) pixels black. Null image when the camera
// has no depth.
QImage depth_image(const data::Episode& episode, int camera, int t, float near_m, float far_m);

// Predicted frame k of rollout view `view`, the same way (null images when the view has no depth).
QImage rgb_image(const geometry::RolloutView& view, int k);
QImage depth_image(const geometry::RolloutView& view, int k, float near_m, float far_m);

// An engine image as a QImage (deep copy).
QImage to_qimage(const geometry::RgbImage& image);

// The colour scale itself, for legends: value in [0, 1] → RGB.
QRgb depth_color(float value01);

}  // namespace xwam::widgets
