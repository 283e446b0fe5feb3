// Binary little-endian PLY point clouds in the layout the renderer reads (docs/geometry.md):
// vertex properties x, y, z float; red, green, blue uchar; optional float error; optional uchar view.
#pragma once
#include <string>

#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

// Writes `cloud` (xyz, rgb, and `error` when non-empty; `view` when with_view). Confidence is not
// part of the file format. Throws xwam::Error naming the file.
void write_ply(const std::string& path, const CloudFrame& cloud, bool with_view = true);

// Reads a binary little-endian PLY whose vertex element has float x, y, z and optionally uchar
// red/green/blue, float error, uchar view, in any order (other scalar properties are skipped).
// Throws xwam::Error naming the file for ASCII/big-endian files, list properties or truncation.
CloudFrame read_ply(const std::string& path);

}  // namespace xwam::geometry
