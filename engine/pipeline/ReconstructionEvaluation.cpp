#include "engine/pipeline/ReconstructionEvaluation.h"

#include <torch/torch.h>

#include <algorithm>

#include "engine/data/EpisodeFile.h"
#include "engine/geometry/ImageMetrics.h"
#include "engine/model/VideoVae.h"
#include "engine/pipeline/ClipBatch.h"

namespace xwam::pipeline {
namespace {

// [3, F, H, W] in [−1, 1] → F images H·W·3 uint8, rounded as rollouts store frames.
std::vector<std::vector<uint8_t>> to_images(const torch::Tensor& video) {
  const auto bytes = ((video.clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8).permute({1, 2, 3, 0}).contiguous().cpu();
  std::vector<std::vector<uint8_t>> images;
  const int64_t frame = bytes[0].numel();
  for (int64_t f = 0; f < bytes.size(0); ++f)
    images.emplace_back(bytes.data_ptr<uint8_t>() + f * frame, bytes.data_ptr<uint8_t>() + (f + 1) * frame);
  return images;
}

}  // namespace

ReconstructionScores evaluate_reconstruction(Predictor& predictor, const std::string& file, const std::vector<int>& starts,
                                             const ProgressFn& progress, const CancelToken* cancel) {
  torch::NoGradGuard no_grad;
  const model::XWamConfig& config = predictor.config();
  model::VideoVae vae = predictor.networks().vae;
  data::EpisodeFileReader reader(file);
  ReconstructionScores scores;
  double psnr = 0, ssim = 0, absrel = 0, delta1 = 0;
  const int total = reader.num_episodes() * static_cast<int>(starts.size());
  for (int e = 0; e < reader.num_episodes(); ++e) {
    const data::Episode episode = reader.read(e);
    const data::ClipSpec spec = clip_spec(config, predictor.cameras_for(episode));
    for (int start : starts) {
      throw_if_cancelled(cancel);
      const ClipBatch batch = to_batch({data::make_clip(episode, start, spec, predictor.meta().stats)}, config);
      const torch::Device device = predictor.device();
      if (!batch.depth.defined() && batch.depth_code.defined())
        for (const std::string& camera : spec.cameras)
          if (std::find(scores.unmapped_depth_cameras.begin(), scores.unmapped_depth_cameras.end(), camera) ==
              scores.unmapped_depth_cameras.end())
            scores.unmapped_depth_cameras.push_back(camera);
      for (int64_t v = 0; v < batch.rgb.size(1); ++v) {
        const torch::Tensor x = batch.rgb.slice(1, v, v + 1).squeeze(1).to(device, torch::kFloat32);
        const auto truth = to_images(x[0]), recon = to_images(vae->decode(vae->encode(x))[0]);
        for (size_t f = 0; f < truth.size(); ++f) {
          psnr += geometry::rgb_psnr(recon[f].data(), truth[f].data(), config.image_width(), config.image_height());
          ssim += geometry::rgb_ssim(recon[f].data(), truth[f].data(), config.image_width(), config.image_height());
          ++scores.images;
        }
        if (!batch.depth.defined()) continue;
        const torch::Tensor depth = batch.depth.slice(1, v, v + 1).squeeze(1).to(device, torch::kFloat32);  // [1, F, H, W]
        const torch::Tensor pseudo = model::depth_to_pseudo_rgb(depth, 1, config.depth_near_m, config.depth_far_m);
        const torch::Tensor back =
            model::pseudo_rgb_to_depth(vae->decode(vae->encode(pseudo)), 1, config.depth_near_m, config.depth_far_m)
                .cpu()
                .contiguous();
        const torch::Tensor truth_depth = depth.cpu().contiguous();
        const int64_t pixels = truth_depth.size(2) * truth_depth.size(3);
        for (int64_t f = 0; f < truth_depth.size(1); ++f) {
          const auto errors = geometry::depth_errors(back.data_ptr<float>() + f * pixels,
                                                     truth_depth.data_ptr<float>() + f * pixels, pixels);
          if (errors.valid_pixels == 0) continue;
          absrel += errors.absrel;
          delta1 += errors.delta1;
          ++scores.depth_images;
        }
      }
      ++scores.clips;
      if (progress) progress({"reconstruct", scores.clips, total, episode.name + " from frame " + std::to_string(start)});
    }
  }
  if (scores.images > 0) scores.rgb_psnr = psnr / scores.images, scores.rgb_ssim = ssim / scores.images;
  if (scores.depth_images > 0) scores.depth_absrel = absrel / scores.depth_images, scores.depth_delta1 = delta1 / scores.depth_images;
  return scores;
}

}  // namespace xwam::pipeline
