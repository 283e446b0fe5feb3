// `xwam eval`: metrics of a rollout against the recorded episode, with the copy-last baseline — the
// numbers the studio's Metrics panel shows for the same rollout.
#include <cmath>
#include <cstdio>
#include <string>

#include "app/cli/Command.h"
#include "app/cli/geometry/FusionArgs.h"
#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/geometry/Comparison.h"

namespace {
// One table cell: the value, or "-" where the metric does not apply (NaN).
void cell(double value, int width, int precision) {
  if (std::isnan(value)) std::printf(" %*s", width, "-");
  else std::printf(" %*.*f", width, precision, value);
}

void print_row(const std::string& label, const xwam::geometry::Metrics& m) {
  std::printf("%-14s", label.c_str());
  cell(m.rgb_psnr, 9, 3), cell(m.rgb_ssim, 8, 4), cell(m.depth_absrel, 9, 4), cell(m.depth_delta1, 8, 4);
  cell(m.chamfer, 10, 6), cell(m.action_mse, 11, 6), cell(m.state_mse, 10, 6);
  std::printf("\n");
}
}  // namespace

XWAM_COMMAND(eval, "Metrics of a rollout against the recorded episode (per frame, per view, averaged)",
             std::string("xwam eval --rollout DIR --scene FILE.h5[:EPISODE] [--json] [fusion options for the\n"
                         "          Chamfer clouds; default --stride 2]") + xwam::cli::kFusionUsage,
             {"json", "confidence"}) {
  using namespace xwam;
  const std::string dir = args.require("rollout");
  const cli::SceneRef scene = cli::parse_scene(args.require("scene"));
  const bool json = args.flag("json");
  geometry::EvaluationOptions options;
  options.fusion = cli::fusion_options(args, options.fusion);
  args.check_all_used();

  const geometry::Rollout rollout = geometry::read_rollout(dir);
  const data::Episode episode = data::read_episode(scene.file, scene.episode);
  geometry::check_rollout_episode(rollout, episode);
  // At the rollout's image size, as the studio and `xwam compare` evaluate (engine/geometry/Comparison.h).
  const geometry::EvaluationReport report = geometry::evaluate_against_recording(episode, rollout, options);

  if (json) {
    std::printf("%s\n", geometry::evaluation_json(report).c_str());
    return 0;
  }
  std::printf("%-14s %9s %8s %9s %8s %10s %11s %10s\n", "frame", "PSNR dB", "SSIM", "AbsRel", "delta1", "CD m^2",
              "action MSE", "state MSE");
  for (const auto& f : report.prediction.frames) print_row(std::to_string(f.frame_index), f.metrics);
  print_row("mean", report.prediction.mean);
  print_row("copy-last", report.copy_last.mean);
  for (const auto& v : report.prediction.views) print_row(v.camera, v.metrics);
  return 0;
}
