// `xwam compare`: a rollout against its recording — the studio's comparison and its Export menu on the
// command line. Metrics, the fused clouds with per-point errors, the comparison video, the contact
// sheet and the depth-error heatmaps come from the same engine code as the studio's
// (engine/geometry/Comparison.h, ComparisonImages.h, RolloutExports.h).
#include <cmath>
#include <cstdio>
#include <string>

#include "app/cli/Command.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/Comparison.h"
#include "engine/geometry/RolloutExports.h"

XWAM_COMMAND(compare, "Compare a rollout with its recording: metrics, and the studio's exports (video, sheet, heatmaps, clouds)",
             "xwam compare --rollout DIR --scene FILE.h5[:EPISODE] [--json] [--metrics OUT.json] [--video OUT.mp4]\n"
             "             [--sheet OUT.png] [--heatmaps DIR] [--ply DIR] [--frames DIR] [--force]\n"
             "  Metrics compare at the rollout's image size (the recording is resized to it), as the studio does.\n"
             "  --video: per view recorded | predicted | predicted depth | depth error, in real time.\n"
             "  --sheet: every predicted frame at a glance (the studio's contact sheet).\n"
             "  --heatmaps: |predicted - recorded| depth per view and frame (PNG) + heatmaps.json (scale).\n"
             "  --ply: the fused predicted clouds with each point's error to the recorded cloud.\n"
             "  --frames: the rollout directory again (PNG frames). Existing files are replaced only with\n"
             "  --force; folders as everywhere (docs/outputs.md).",
             {"json", "force"}) {
  using namespace xwam;
  const std::string dir = args.require("rollout");
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
  // The JSON convention in a table: "-" not available, "inf" for identical images.
  auto cell = [](double v) {
    if (std::isnan(v)) return std::string("-");
    if (std::isinf(v)) return std::string(v > 0 ? "inf" : "-inf");
    char text[32];
    std::snprintf(text, sizeof(text), "%.5g", v);
    return std::string(text);
  };
  std::printf("%-12s %10s %10s\n", "metric", "predicted", "copy-last");
  std::printf("%-12s %10s %10s\n", "rgb_psnr", cell(p.rgb_psnr).c_str(), cell(b.rgb_psnr).c_str());
  std::printf("%-12s %10s %10s\n", "rgb_ssim", cell(p.rgb_ssim).c_str(), cell(b.rgb_ssim).c_str());
  std::printf("%-12s %10s %10s\n", "depth_absrel", cell(p.depth_absrel).c_str(), cell(b.depth_absrel).c_str());
  std::printf("%-12s %10s %10s\n", "chamfer", cell(p.chamfer).c_str(), cell(b.chamfer).c_str());
  std::printf("%-12s %10s %10s\n", "action_mse", cell(p.action_mse).c_str(), cell(b.action_mse).c_str());
  std::printf("%-12s %10s %10s\n", "state_mse", cell(p.state_mse).c_str(), cell(b.state_mse).c_str());
  return 0;
}
