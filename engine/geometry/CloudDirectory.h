// A cloud directory on disk: `sequence.json` manifest plus one binary PLY per frame. The renderer
// reads it; the format is specified in docs/geometry.md.
#pragma once
#include <string>

#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

// sequence.json version written: 2 = camera K in the OpenCV convention (pixel centres at integers);
// version 1 files (centres at +0.5) are converted on read.
constexpr int kCloudDirectoryVersion = 2;

// Writes frame_000000.ply … and sequence.json (last, so a reader that sees the manifest sees every
// frame) into a new (absent or empty) folder; an OutputDir of kind "clouds" puts it in place whole.
// Throws xwam::Error naming the file.
void write_cloud_directory(const std::string& dir, const CloudSequence& sequence);

// Reads a cloud directory back (frames, cameras, camera_poses, trajectory, frame indices, fps, source).
// Throws xwam::Error naming the file and key on a missing or malformed manifest entry.
CloudSequence read_cloud_directory(const std::string& dir);

}  // namespace xwam::geometry
