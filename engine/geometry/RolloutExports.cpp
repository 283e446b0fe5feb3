#include "engine/geometry/RolloutExports.h"

#include <filesystem>
#include <fstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/ComparisonImages.h"

namespace xwam::geometry {
namespace fs = std::filesystem;

namespace {
// A single file: refused when it exists unless forced; written whole or not at all.
template <class Write>
void write_file(const std::string& target, const OutputOptions& options, Write write) {
  std::error_code ec;
  if (fs::is_directory(target, ec)) throw Error(target, "is a folder; give a file name");
  if (fs::exists(target, ec) && !options.force)
    throw Error(target, options.force_hint.empty() ? "exists; choose another file name"
                                                    : "exists; choose another file name, or pass --force to replace it");
  AtomicFile out(target);
  write(out.temp_path());
  out.commit();
}

template <class Write>
std::string write_folder(const std::string& target, const char* kind, const OutputOptions& options, Write write) {
  OutputDir out(target, kind, options);
  write(out.path());
  return out.commit();
}
}  // namespace

const char* export_name(ExportKind kind) {
  switch (kind) {
    case ExportKind::RolloutFrames: return "frames";
    case ExportKind::PlySequence: return "ply";
    case ExportKind::MetricsJson: return "metrics";
    case ExportKind::ContactSheet: return "sheet";
    case ExportKind::Video: return "video";
    case ExportKind::Heatmaps: return "heatmaps";
  }
  return "";
}

bool writes_folder(ExportKind kind) {
  return kind == ExportKind::RolloutFrames || kind == ExportKind::PlySequence || kind == ExportKind::Heatmaps;
}

std::string export_rollout(ExportKind kind, const std::string& target, const data::Episode& episode, const Rollout& rollout,
                           const EvaluationReport* report, const OutputOptions& options) {
  switch (kind) {
    case ExportKind::RolloutFrames:
      return write_folder(target, "rollout", options, [&](const std::string& dir) { write_rollout(dir, rollout); });
    case ExportKind::PlySequence: {
      const RolloutClouds clouds = fuse_with_errors(episode, rollout);
      return write_folder(target, "clouds", options, [&](const std::string& dir) { write_cloud_directory(dir, *clouds.predicted); });
    }
    case ExportKind::Heatmaps:
      return write_folder(target, "heatmaps", options,
                          [&](const std::string& dir) { write_depth_error_heatmaps(dir, episode, rollout); });
    case ExportKind::MetricsJson: {
      const EvaluationReport evaluated = report ? EvaluationReport{} : evaluate_against_recording(episode, rollout);
      const std::string text = evaluation_json(report ? *report : evaluated) + "\n";
      write_file(target, options, [&](const std::string& temp) {
        std::ofstream out(temp);
        out << text;
        if (!out.flush()) throw Error(target, "cannot write (disk full?)");
      });
      return "";
    }
    case ExportKind::ContactSheet: {
      const RgbImage sheet = contact_sheet(episode, rollout);
      write_file(target, options,
                 [&](const std::string& temp) { write_png(temp, sheet.pixels.data(), sheet.width, sheet.height); });
      return "";
    }
    case ExportKind::Video: {
      std::error_code ec;
      if (fs::is_directory(target, ec)) throw Error(target, "is a folder; give a file name");
      if (fs::exists(target, ec) && !options.force)
        throw Error(target, "exists; choose another file name, or pass --force to replace it");
      // VideoWriter writes a temporary and renames it into place itself.
      write_comparison_video(target, episode, rollout, real_time_fps(episode, rollout));
      return "";
    }
  }
  return "";
}

void export_what_if(const WhatIfExport& what, const data::Episode& episode, const Rollout& a, const Rollout& b,
                    const WhatIfComparison& comparison, const std::string& label_a, const std::string& label_b,
                    const OutputOptions& options) {
  const std::string& target = what.target;
  switch (what.kind) {
    case WhatIfExportKind::MetricsJson: {
      const std::string text = what_if_json(comparison) + "\n";
      write_file(target, options, [&](const std::string& temp) {
        std::ofstream out(temp);
        out << text;
        if (!out.flush()) throw Error(target, "cannot write (disk full?)");
      });
      return;
    }
    case WhatIfExportKind::Frame: {
      const RgbImage frame = what_if_frame(episode, a, b, what.frame, label_a, label_b);
      write_file(target, options, [&](const std::string& temp) { write_png(temp, frame.pixels.data(), frame.width, frame.height); });
      return;
    }
    case WhatIfExportKind::Video: {
      std::error_code ec;
      if (fs::is_directory(target, ec)) throw Error(target, "is a folder; give a file name");
      if (fs::exists(target, ec) && !options.force)
        throw Error(target, "exists; choose another file name, or pass --force to replace it");
      write_what_if_video(target, episode, a, b, label_a, label_b);  // VideoWriter renames into place itself
      return;
    }
  }
}

}  // namespace xwam::geometry
