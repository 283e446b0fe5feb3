// What to draw and how: the state a front end (CLI flags, the viewport widget, the ImGui overlay)
// edits and hands to SceneRenderer::record every frame.
#pragma once
#include <string>

#include "render/OrbitCamera.h"

namespace xwam::render {

enum class ColorMode { Rgb, Depth, Height, Error, View };
enum class Layout { Overlay, SideBySide };  // both clouds in one view, or predicted left / recorded right

const char* color_mode_name(ColorMode mode);  // "rgb", "depth", "height", "error", "view"
// Throws RenderError listing the accepted names.
ColorMode parse_color_mode(const std::string& name);

struct ViewSettings {
  int frame = 0;                        // index into the sequences' frames
  ColorMode color = ColorMode::Rgb;
  float point_size_px = 3.0f;
  float point_size_m = 0.0f;            // > 0: splats of this world size instead of point_size_px
  float error_max_m = 0.05f;            // error mapped to the top (red) of the heat scale
  Layout layout = Layout::Overlay;
  bool show_predicted = true, show_recorded = true;
  bool tint_clouds = false;             // overlay: predicted tinted orange, recorded blue
  bool show_frustums = true, show_trajectory = true, show_grid = true;
  bool show_overlay = false;            // the ImGui panel (stats, controls, legend)
  OrbitCamera orbit;
  int scene_camera = -1;                // ≥ 0: look through that recorded camera instead of `orbit`
  float background[4] = {0.11f, 0.12f, 0.14f, 1.0f};
};

}  // namespace xwam::render
