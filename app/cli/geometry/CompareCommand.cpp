// `xwam compare`: a rollout against its recording — the studio's comparison and its Export menu on the
// command line. Metrics, the fused clouds with per-point errors, the comparison video, the contact
// sheet and the depth-error heatmaps come from the same engine code as the studio's
// (engine/geometry/Comparison.h, ComparisonImages.h, RolloutExports.h). Two --rollout options compare
// two futures from the same start (what-if, WhatIfComparison.h), as the studio's comparison view does.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/RolloutExports.h"
#include "engine/geometry/WhatIfComparison.h"

namespace {
using namespace xwam;

// The JSON convention in a table: "-" not available, "inf" for identical images.
std::string cell(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof(text), "%.5g", v);
  return text;
}

// What-if: A and B from the same start, each against the recording, and A - B.
int compare_two(cli::Args& args, const std::string& dir_a, const std::string& dir_b) {
  const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
  const bool json = args.flag("json");
  const OutputOptions output{args.flag("force")};
  std::vector<geometry::WhatIfExport> exports;
  if (args.has("metrics")) exports.push_back({geometry::WhatIfExportKind::MetricsJson, args.require("metrics"), 0});
  if (args.has("video")) exports.push_back({geometry::WhatIfExportKind::Video, args.require("video"), 0});
  if (args.has("png")) exports.push_back({geometry::WhatIfExportKind::Frame, args.require("png"), static_cast<int>(args.get_int("frame", 0))});
  else if (args.has("frame")) throw Error("option --frame: goes with --png OUT.png");
  for (const char* single : {"sheet", "heatmaps", "ply", "frames"})
    if (args.has(single)) throw Error(std::string("option --") + single + ": compares one rollout with its recording; give one --rollout");
  args.check_all_used();

  const geometry::Rollout a = geometry::read_rollout(dir_a), b = geometry::read_rollout(dir_b);
  const data::Episode episode = data::read_episode(scene.file, scene.episode);
  const geometry::WhatIfComparison w = geometry::compare_what_if(episode, a, b);
  for (auto& e : exports) {
    if (e.kind == geometry::WhatIfExportKind::Frame && (e.frame < 0 || e.frame >= a.num_frames()))
      throw Error("option --frame: " + std::to_string(e.frame) + " is not a predicted frame (0 to " + std::to_string(a.num_frames() - 1) + ")");
    std::fprintf(stderr, "[compare] writing %s\n", e.target.c_str());
    geometry::export_what_if(e, episode, a, b, w, "A", "B", output);
  }
  if (json) {
    std::printf("%s\n", geometry::what_if_json(w).c_str());
    return 0;
  }
  const auto &ma = w.a.prediction.mean, &mb = w.b.prediction.mean, &d = w.a_minus_b;
  std::printf("A: %s\nB: %s\n", dir_a.c_str(), dir_b.c_str());
  std::printf("%-12s %10s %10s %10s\n", "metric", "A", "B", "A-B");
  auto row = [&](const char* name, double x, double y, double z) {
    std::printf("%-12s %10s %10s %10s\n", name, cell(x).c_str(), cell(y).c_str(), cell(z).c_str());
  };
  row("rgb_psnr", ma.rgb_psnr, mb.rgb_psnr, d.rgb_psnr);
  row("rgb_ssim", ma.rgb_ssim, mb.rgb_ssim, d.rgb_ssim);
  row("depth_absrel", ma.depth_absrel, mb.depth_absrel, d.depth_absrel);
  row("chamfer", ma.chamfer, mb.chamfer, d.chamfer);
  row("action_mse", ma.action_mse, mb.action_mse, d.action_mse);
  row("state_mse", ma.state_mse, mb.state_mse, d.state_mse);
  return 0;
}
}  // namespace

XWAM_COMMAND(compare, "Compare a rollout with its recording, or two rollouts side by side: metrics, and the studio's exports",
             "xwam compare --rollout DIR --scene FILE.h5[:EPISODE] [--json] [--metrics OUT.json] [--video OUT.mp4]\n"
             "             [--sheet OUT.png] [--heatmaps DIR] [--ply DIR] [--frames DIR] [--force]\n"
             "xwam compare --rollout A_DIR --rollout B_DIR --scene FILE.h5[:EPISODE] [--json] [--metrics OUT.json]\n"
             "             [--video OUT.mp4] [--png OUT.png --frame N] [--force]\n"
             "  Two rollouts (what-if: another instruction, checkpoint, mode, seed or actions from the same start):\n"
             "  metrics of each against the recording and A - B; --video and --png show recorded | A | B per view\n"
             "  (--frame: the predicted frame, 0-based).\n"
             "  Metrics compare at the rollout's image size (the recording is resized to it), as the studio does.\n"
             "  --video: per view recorded | predicted | predicted depth | depth error, in real time.\n"
             "  --sheet: every predicted frame at a glance (the studio's contact sheet).\n"
             "  --heatmaps: |predicted - recorded| depth per view and frame (PNG) + heatmaps.json (scale).\n"
             "  --ply: the fused predicted clouds with each point's error to the recorded cloud.\n"
             "  --frames: the rollout directory again (PNG frames). Existing files are replaced only with\n"
             "  --force; folders as everywhere (docs/outputs.md).",
             {"json", "force"}) {
  using namespace xwam;
  const std::vector<std::string> dirs = args.list("rollout");
  if (dirs.empty()) args.require("rollout");  // names the missing option
  if (dirs.size() > 2) throw Error("option --rollout: given " + std::to_string(dirs.size()) + " times; compare one rollout or two");
  if (dirs.size() == 2) return compare_two(args, dirs[0], dirs[1]);
  const std::string dir = dirs[0];
  const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
  const bool json = args.flag("json");
  const OutputOptions output{args.flag("force")};
  std::vector<std::pair<geometry::ExportKind, std::string>> exports;
  for (auto kind : {geometry::ExportKind::MetricsJson, geometry::ExportKind::Video, geometry::ExportKind::ContactSheet,
                    geometry::ExportKind::Heatmaps, geometry::ExportKind::PlySequence, geometry::ExportKind::RolloutFrames})
    if (args.has(geometry::export_name(kind))) exports.emplace_back(kind, args.require(geometry::export_name(kind)));
  args.check_all_used();

  const geometry::Rollout rollout = geometry::read_rollout(dir);
  const data::Episode episode = data::read_episode(scene.file, scene.episode);
  geometry::check_rollout_episode(rollout, episode);
  const geometry::EvaluationReport report = geometry::evaluate_against_recording(episode, rollout);
  for (const auto& [kind, target] : exports) {
    std::fprintf(stderr, "[compare] writing %s\n", target.c_str());
    const std::string moved = geometry::export_rollout(kind, target, episode, rollout, &report, output);
    if (!moved.empty()) std::fprintf(stderr, "[compare] moved the previous %s aside to %s\n", target.c_str(), moved.c_str());
  }
  if (json) {
    std::printf("%s\n", geometry::evaluation_json(report).c_str());
    return 0;
  }
  const auto& p = report.prediction.mean;
  const auto& b = report.copy_last.mean;
  std::printf("%-12s %10s %10s\n", "metric", "predicted", "copy-last");
  std::printf("%-12s %10s %10s\n", "rgb_psnr", cell(p.rgb_psnr).c_str(), cell(b.rgb_psnr).c_str());
  std::printf("%-12s %10s %10s\n", "rgb_ssim", cell(p.rgb_ssim).c_str(), cell(b.rgb_ssim).c_str());
  std::printf("%-12s %10s %10s\n", "depth_absrel", cell(p.depth_absrel).c_str(), cell(b.depth_absrel).c_str());
  std::printf("%-12s %10s %10s\n", "chamfer", cell(p.chamfer).c_str(), cell(b.chamfer).c_str());
  std::printf("%-12s %10s %10s\n", "action_mse", cell(p.action_mse).c_str(), cell(b.action_mse).c_str());
  std::printf("%-12s %10s %10s\n", "state_mse", cell(p.state_mse).c_str(), cell(b.state_mse).c_str());
  return 0;
}
