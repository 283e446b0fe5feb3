// Labels drawn into RGB images without a font library: a built-in 5×7 pixel font (digits, letters,
// a few signs), scaled by whole pixels. Enough for contact sheets and comparison frames written
// by the CLI and the studio alike; characters outside the font are drawn as blanks.
#pragma once
#include <cstdint>
#include <string>

#include "engine/geometry/ImageFiles.h"

namespace xwam::geometry {

// Width in pixels of `text` at `scale` (6 columns per character incl. spacing, minus the last gap).
int text_width(const std::string& text, int scale = 1);
constexpr int text_height(int scale = 1) { return 7 * scale; }

// Draws `text` with its top-left corner at (x, y); pixels outside the image are skipped.
void draw_text(RgbImage& image, int x, int y, const std::string& text, const uint8_t rgb[3], int scale = 1);

}  // namespace xwam::geometry
