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
#include "engine/geometry/WhatIfComparison.h"

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

// What-if exports of two rollouts A and B from the same start (the studio's comparison view, `xwam
// compare --rollout A --rollout B`): the metrics JSON (what_if_json), the mp4 with the columns
// recorded | A | B, or one such frame (`frame`) as a PNG. Single files, as above.
enum class WhatIfExportKind { MetricsJson, Video, Frame };
struct WhatIfExport {
  WhatIfExportKind kind = WhatIfExportKind::MetricsJson;
  std::string target;
  int frame = 0;  // Frame: the predicted frame (0-based)
};
void export_what_if(const WhatIfExport& what, const data::Episode& episode, const Rollout& a, const Rollout& b,
                    const WhatIfComparison& comparison, const std::string& label_a, const std::string& label_b,
                    const OutputOptions& options);

}  // namespace xwam::geometry
