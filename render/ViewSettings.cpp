// Colour mode names as the CLI and the overlay show them.
#include "render/ViewSettings.h"

#include "render/RenderError.h"

namespace xwam::render {

const char* color_mode_name(ColorMode mode) {
  switch (mode) {
    case ColorMode::Rgb: return "rgb";
    case ColorMode::Depth: return "depth";
    case ColorMode::Height: return "height";
    case ColorMode::Error: return "error";
    case ColorMode::View: return "view";
  }
  return "rgb";
}

ColorMode parse_color_mode(const std::string& name) {
  for (ColorMode m : {ColorMode::Rgb, ColorMode::Depth, ColorMode::Height, ColorMode::Error, ColorMode::View})
    if (name == color_mode_name(m)) return m;
  throw RenderError("unknown colour mode '" + name + "' (expected rgb, depth, height, error or view)");
}

}  // namespace xwam::render
