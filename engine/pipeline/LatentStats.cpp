#include "engine/pipeline/LatentStats.h"

#include "engine/core/Error.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/TrainTasks.h"

namespace xwam::pipeline {

LatentStats estimate_latent_stats(model::VideoVae& vae, data::ClipLoader& loader, const model::XWamConfig& config,
                                  int batches, torch::Device device) {
  torch::NoGradGuard no_grad;
  const bool was_training = vae->is_training();
  vae->eval();
  const int64_t z = config.vae.z_dim;
  // Sums in double: thousands of latents per clip.
  torch::Tensor sum = torch::zeros({z}, torch::kFloat64), sum_sq = torch::zeros({z}, torch::kFloat64);
  int64_t count = 0;
  LatentStats out;
  auto add = [&](const torch::Tensor& latents) {  // [B, V, z, T, h, w]
    auto per_channel = latents.transpose(0, 2).reshape({z, -1}).to(torch::kCPU, torch::kFloat64);
    sum += per_channel.sum(1);
    sum_sq += per_channel.pow(2).sum(1);
    count += per_channel.size(1);
  };
  for (int i = 0; i < batches; ++i) {
    const auto clips = loader.next();
    if (!clips || clips->empty()) break;
    const ClipBatch b = to_batch(*clips, config);
    add(encode_views(vae, b.rgb.to(device)));
    const torch::Tensor depth = depth_pseudo_rgb(b, config);
    if (depth.defined()) add(encode_views(vae, depth.to(device)));
    out.clips += static_cast<int64_t>(clips->size());
  }
  vae->train(was_training);
  if (count == 0) throw Error("latent statistics", "the training data gave no clip to encode");
  const torch::Tensor mean = sum / count;
  const torch::Tensor std = (sum_sq / count - mean.pow(2)).clamp_min(0).sqrt();
  for (int64_t c = 0; c < z; ++c) {
    const double s = std[c].item<double>();
    if (!(s > 1e-6))
      throw Error("latent statistics", "latent channel " + std::to_string(c) + " is constant over " +
                                           std::to_string(out.clips) + " clips: the VAE is untrained or broken");
    out.mean.push_back(static_cast<float>(mean[c].item<double>()));
    out.std.push_back(static_cast<float>(s));
  }
  return out;
}

}  // namespace xwam::pipeline
