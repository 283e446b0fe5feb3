// The first picture's defaults, shared by `xwam render` and the studio's 3D view so both start from the
// same readable image: splats sized from the point density (world-sized so fused neighbours touch;
// pixels when the clouds have no cameras), and through a recorded camera one source pixel's size.
#pragma once
#include "render/SceneRenderer.h"
#include "render/ViewSettings.h"

namespace xwam::render {

// Sets point_size_px / point_size_m for a `width_px` × `height_px` target from the sequences `scene`
// holds (call after set_sequences and after choosing settings.scene_camera). `cameras_of`: the sequence
// whose cameras settings.scene_camera indexes (the recorded one when there is one, as find_camera).
void apply_default_point_size(ViewSettings& settings, const SceneRenderer& scene, const PointSequence& cameras_of,
                              int width_px, int height_px);

}  // namespace xwam::render
