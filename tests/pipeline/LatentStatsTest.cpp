// Latent normalization for a VAE trained here: the statistics taken from the data make the latents
// unit-scale per channel, and the VAE carries them in its config so checkpoints keep them.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/LatentStats.h"
#include "engine/pipeline/TaskSettings.h"
#include "engine/pipeline/TrainTasks.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Three small synthetic episodes at the tiny model's size, written to a file a ClipLoader reads.
std::string episode_file() {
  static const std::string path = [] {
    const fs::path dir = fs::temp_directory_path() / "xwam_latent_stats";
    fs::remove_all(dir);
    fs::create_directories(dir);
    data::synthetic::GeneratorOptions o;
    o.width = o.height = 32;
    o.frames = 24;
    std::vector<data::Episode> eps;
    for (int i = 0; i < 3; ++i) eps.push_back(data::synthetic::generate_episode(o, 40 + i));
    const std::string file = (dir / "eps.h5").string();
    data::EpisodeFileWriter w(file);
    for (const auto& e : eps) w.add(e);
    w.set_stats(data::NormStats::compute(eps));
    w.commit();
    return file;
  }();
  return path;
}

data::ClipLoader loader_of(const model::XWamConfig& c) {
  const std::string file = episode_file();
  data::ClipLoaderOptions o;
  o.batch_size = 2;
  o.seed = 7;
  return data::ClipLoader({file}, pipeline::clip_spec(c, {"main", "side"}),
                          *data::EpisodeFileReader(file).stats(), o);
}

}  // namespace

TEST(LatentStats, EstimatedStatisticsMakeLatentsUnitScale) {
  const auto config = model::XWamConfig::preset("tiny");
  torch::manual_seed(2);
  model::VideoVae vae(config.vae);
  auto sample = loader_of(config);
  const pipeline::LatentStats s = pipeline::estimate_latent_stats(vae, sample, config, 4, torch::kCPU);
  ASSERT_EQ(s.mean.size(), static_cast<size_t>(config.vae.z_dim));
  ASSERT_EQ(s.std.size(), s.mean.size());
  EXPECT_EQ(s.clips, 8);
  vae->set_latent_stats(s.mean, s.std);
  EXPECT_EQ(vae->config.latent_mean, s.mean);

  // The same clips (same seed) encoded again: every channel now has mean 0 and std 1.
  auto again = loader_of(config);
  std::vector<torch::Tensor> latents;
  for (int i = 0; i < 4; ++i) {
    const auto b = pipeline::to_batch(*again.next(), config);
    latents.push_back(pipeline::encode_views(vae, b.rgb).transpose(0, 2).flatten(1));
    latents.push_back(pipeline::encode_views(vae, pipeline::depth_pseudo_rgb(b, config)).transpose(0, 2).flatten(1));
  }
  const auto per_channel = torch::cat(latents, 1).to(torch::kFloat64);  // [z, V, …] → per channel rows
  const auto flat = per_channel.reshape({config.vae.z_dim, -1});
  EXPECT_LT(flat.mean(1).abs().max().item<double>(), 1e-4);
  EXPECT_NEAR(flat.std(1, /*unbiased=*/false).min().item<double>(), 1.0, 1e-3);
  EXPECT_NEAR(flat.std(1, /*unbiased=*/false).max().item<double>(), 1.0, 1e-3);
}

TEST(LatentStats, SetStatisticsEqualStatisticsFromTheConfig) {
  auto config = model::XWamConfig::preset("tiny").vae;
  torch::manual_seed(5);
  model::VideoVae later(config);
  config.latent_mean = {0.5f, -1.0f, 0.0f, 2.0f};
  config.latent_std = {2.0f, 0.5f, 1.0f, 4.0f};
  model::VideoVae built(config);
  {
    torch::NoGradGuard no_grad;
    auto src = later->named_parameters();
    for (auto& p : built->named_parameters()) p.value().copy_(src[p.key()]);
  }
  later->set_latent_stats(config.latent_mean, config.latent_std);
  torch::manual_seed(1);
  const auto x = torch::rand({1, 3, 5, 16, 16}) * 2 - 1;
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(later->encode(x), built->encode(x)));
  // Wrong sizes or a non-positive std are refused and leave the VAE as it was.
  EXPECT_THROW(later->set_latent_stats({0.f}, {1.f}), Error);
  EXPECT_THROW(later->set_latent_stats({0.f, 0.f, 0.f, 0.f}, {1.f, 0.f, 1.f, 1.f}), Error);
  EXPECT_TRUE(torch::equal(later->encode(x), built->encode(x)));
  later->set_latent_stats({}, {});
  EXPECT_TRUE(later->config.latent_mean.empty());
}

TEST(LatentStats, TaskSettingsTakeNormalizeLatentsForXWamOnly) {
  const auto xwam = pipeline::TaskSettings::from_json_text(
      R"({"model": "tiny", "task": {"kind": "xwam", "normalize_latents": true, "gradient_checkpointing": true}})", "t.json");
  EXPECT_TRUE(xwam.normalize_latents);
  EXPECT_TRUE(xwam.gradient_checkpointing);
  try {
    pipeline::TaskSettings::from_json_text(R"({"model": "tiny", "task": {"kind": "vae", "normalize_latents": true}})",
                                           "v.json");
    FAIL() << "a VAE task took normalize_latents";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("v.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("normalize_latents"), std::string::npos) << e.what();
  }
}
