// What a user takes away from a comparison — the studio's Export menu and `xwam compare` write the
// same files with the same code:
//   frames    the rollout directory (docs/rollout-format.md)
//   ply       the fused predicted clouds with per-point errors (cloud directory, docs/geometry.md)
//   metrics   the evaluation JSON (evaluation_json)
//   sheet     the contact sheet PNG, video the comparison mp4, heatmaps the depth-error PNGs
//             (ComparisonImages.h)
// Folders go through OutputDir (absent, empty or written by xwam; --force moves others aside); single
// files are written to a temporary and renamed, and an existing file is replaced only with `force`.
#pragma once
#include <string>

#include "engine/core/OutputDir.h"
#include "engine/data/Episode.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

enum class ExportKind { RolloutFrames, PlySequence, MetricsJson, ContactSheet, Video, Heatmaps };

// The option/menu name of each kind: "frames", "ply", "metrics", "sheet", "video", "heatmaps".
const char* export_name(ExportKind kind);
bool writes_folder(ExportKind kind);

// Writes one export of `rollout` against `episode` to `target`. `report` is needed for MetricsJson
// (null: evaluated here). Returns where --force moved a previous target, or "". Throws xwam::Error
// naming the target.
std::string export_rollout(ExportKind kind, const std::string& target, const data::Episode& episode, const Rollout& rollout,
                           const EvaluationReport* report, const OutputOptions& options);

}  // namespace xwam::geometry
