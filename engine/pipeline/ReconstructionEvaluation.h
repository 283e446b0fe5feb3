// How faithfully a checkpoint's video VAE reconstructs held-out clips: decode(encode(x)) against x.
// Every predicted frame is decoded by the same decoder, so this is the ceiling of the predicted
// video's quality; docs/training.md reports it per training time for the demo VAE.
#pragma once
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/pipeline/Rollout.h"

namespace xwam::pipeline {

struct ReconstructionScores {
  double rgb_psnr = 0, rgb_ssim = 0;    // means over every frame of every view (dB; SSIM in [0, 1])
  double depth_absrel = 0, depth_delta1 = 0;  // over views with depth; 0 when none had any
  int clips = 0, images = 0, depth_images = 0;
  // Cameras whose depth is 8-bit without a metric mapping: AbsRel/δ1 need metres, so these are named
  // here and left out of the depth scores rather than silently skipped.
  std::vector<std::string> unmapped_depth_cameras;
};

// Clips of the model's length (condition + future frames, every view at the model's size) from each
// of `starts` in every episode of `file`, each view through the VAE alone (RGB, and depth as the
// model encodes it). `progress` gets one event per clip.
ReconstructionScores evaluate_reconstruction(Predictor& predictor, const std::string& file, const std::vector<int>& starts,
                                             const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace xwam::pipeline
