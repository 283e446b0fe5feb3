// The Wan2.2 causal video VAE: shapes, causality, chunked-cache semantics, Wan2.2 parameter names
// and count, trainability, and the depth ↔ pseudo-RGB mapping.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/core/Error.h"
#include "engine/model/VideoVae.h"
#include "tests/model/ParameterFormula.h"

using namespace xwam::model;

namespace {

// Sizes the reference numbers were computed at: the tiny preset, and "wide" (z 16, base 32, decoder
// 48, mult 1-2-2-2, temporal F-T-T), the "demo" entry of vae_golden.py.
VaeConfig reference_size(const std::string& name) {
  if (name == "tiny") return XWamConfig::preset("tiny").vae;
  return {16, 32, 48, {1, 2, 2, 2}, 1, {false, true, true}, 2, {}, {}};
}

VideoVae make_vae(const std::string& preset, uint64_t seed = 5) {
  torch::manual_seed(seed);
  return VideoVae(XWamConfig::preset(preset).vae);
}

// Wan2.2 zero-inits the attention output and sets norm gains to 1; perturb those so every block acts.
void randomize(VideoVae& vae) {
  torch::NoGradGuard no_grad;
  for (auto& p : vae->named_parameters()) {
    auto& v = p.value();
    if (p.key().find("gamma") != std::string::npos) v.add_(torch::randn_like(v) * 0.1);
    if (p.key().find("proj.weight") != std::string::npos) v.copy_(torch::randn_like(v) / std::sqrt(double(v.size(1))));
  }
}

torch::Tensor random_video(int64_t B, int64_t T, int64_t H, int64_t W, uint64_t seed = 7) {
  torch::manual_seed(seed);
  return torch::rand({B, 3, T, H, W}) * 2 - 1;
}

bool throws_naming(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
  } catch (const xwam::Error& e) {
    return std::string(e.what()).find(needle) != std::string::npos;
  }
  return false;
}

}  // namespace

TEST(VideoVae, ShapesTinyAndDemo) {
  torch::NoGradGuard no_grad;
  for (const std::string preset : {"tiny", "demo"}) {
    auto vae = make_vae(preset);
    const auto& c = vae->config;
    const int64_t s = c.spatial_compression();
    ASSERT_EQ(c.temporal_compression(), 4) << preset;
    auto x = random_video(2, 9, 2 * s, 3 * s);
    auto enc = vae->encode_distribution(x);
    EXPECT_EQ(enc.mean.sizes(), (std::vector<int64_t>{2, c.z_dim, 3, 2, 3})) << preset;
    EXPECT_EQ(enc.log_var.sizes(), enc.mean.sizes()) << preset;
    auto y = vae->decode(enc.mean);
    EXPECT_EQ(y.sizes(), x.sizes()) << preset;
    EXPECT_LE(y.abs().max().item<float>(), 1.0f);
    // Samples of a batch are independent (frames are folded into the batch for the 2D layers).
    EXPECT_TRUE(torch::allclose(vae->encode(x.slice(0, 1, 2)), enc.mean.slice(0, 1, 2), 1e-5, 1e-5)) << preset;
    // A single frame is a video too: 1 frame ↔ 1 latent frame.
    EXPECT_EQ(vae->decode(vae->encode(x.slice(2, 0, 1))).size(2), 1);
  }
}

TEST(VideoVae, WrongShapesThrowNamingTheShape) {
  torch::NoGradGuard no_grad;
  auto vae = make_vae("tiny");  // spatial 8, temporal 4
  EXPECT_TRUE(throws_naming([&] { vae->encode(torch::zeros({1, 3, 8, 16, 16})); }, "[1, 3, 8, 16, 16]"));
  EXPECT_TRUE(throws_naming([&] { vae->encode(torch::zeros({1, 3, 5, 12, 16})); }, "[1, 3, 5, 12, 16]"));
  EXPECT_TRUE(throws_naming([&] { vae->encode(torch::zeros({1, 4, 5, 16, 16})); }, "[1, 4, 5, 16, 16]"));
  EXPECT_TRUE(throws_naming([&] { vae->encode(torch::zeros({3, 5, 16, 16})); }, "[3, 5, 16, 16]"));
  EXPECT_TRUE(throws_naming([&] { vae->decode(torch::zeros({1, 5, 2, 2, 2})); }, "[1, 5, 2, 2, 2]"));
  // A config whose widths do not fit the AvgDown3D shortcut is refused up front.
  auto bad = XWamConfig::preset("tiny").vae;
  bad.dim_mult = {1, 3, 1};
  EXPECT_TRUE(throws_naming([&] { VideoVae v(bad); }, "VaeConfig"));
}

TEST(VideoVae, EncoderIsCausal) {
  torch::NoGradGuard no_grad;
  for (const std::string preset : {"tiny", "demo"}) {
    auto vae = make_vae(preset);
    randomize(vae);
    const int64_t s = vae->config.spatial_compression();
    auto x = random_video(1, 9, 2 * s, 2 * s);
    auto perturbed = x.clone();
    perturbed.slice(2, 5).add_(torch::randn_like(perturbed.slice(2, 5)));
    auto a = vae->encode_distribution(x), b = vae->encode_distribution(perturbed);
    // Latent frame 0 = video frame 0, latent frame 1 = frames 1..4: untouched.
    EXPECT_TRUE(torch::equal(a.mean.slice(2, 0, 2), b.mean.slice(2, 0, 2))) << preset;
    EXPECT_TRUE(torch::equal(a.log_var.slice(2, 0, 2), b.log_var.slice(2, 0, 2))) << preset;
    EXPECT_FALSE(torch::allclose(a.mean.slice(2, 2), b.mean.slice(2, 2))) << preset;
    // Perturbing frame 1 reaches latent 1 but not latent 0.
    auto early = x.clone();
    early.slice(2, 1, 2).add_(0.5);
    auto c = vae->encode(early);
    EXPECT_TRUE(torch::equal(a.mean.slice(2, 0, 1), c.slice(2, 0, 1))) << preset;
    EXPECT_FALSE(torch::allclose(a.mean.slice(2, 1, 2), c.slice(2, 1, 2))) << preset;
  }
}

TEST(VideoVae, DecoderIsCausal) {
  torch::NoGradGuard no_grad;
  for (const std::string preset : {"tiny", "demo"}) {
    auto vae = make_vae(preset);
    randomize(vae);
    torch::manual_seed(9);
    auto z = torch::randn({1, vae->config.z_dim, 3, 2, 2}) * 0.3;
    auto perturbed = z.clone();
    perturbed.slice(2, 2).add_(1.0);
    auto a = vae->decode(z), b = vae->decode(perturbed);
    EXPECT_TRUE(torch::equal(a.slice(2, 0, 5), b.slice(2, 0, 5))) << preset;
    EXPECT_FALSE(torch::allclose(a.slice(2, 5), b.slice(2, 5))) << preset;
    // Latent frame 1 reaches frames 1..4 (and later), not frame 0.
    auto mid = z.clone();
    mid.slice(2, 1, 2).add_(1.0);
    auto m = vae->decode(mid);
    EXPECT_TRUE(torch::equal(a.slice(2, 0, 1), m.slice(2, 0, 1))) << preset;
    EXPECT_FALSE(torch::allclose(a.slice(2, 1, 5), m.slice(2, 1, 5))) << preset;
  }
}

TEST(VideoVae, StreamedDecodingSideBySideIsBitIdentical) {
  // Two sequences decoded latent frame by latent frame, interleaved (as a rollout decodes its views
  // and depth together), give exactly decode()'s values, each piece as soon as its latent frame is in.
  torch::NoGradGuard no_grad;
  auto vae = make_vae("demo");
  randomize(vae);
  torch::manual_seed(4);
  const auto z1 = torch::randn({1, vae->config.z_dim, 3, 2, 2}) * 0.3, z2 = torch::randn({1, vae->config.z_dim, 3, 2, 2}) * 0.3;
  VaeDecoding s1(*vae, z1), s2(*vae, z2);
  EXPECT_EQ(s1.latent_frames(), 3);
  std::vector<torch::Tensor> p1, p2;
  while (!s1.done()) {
    p1.push_back(s1.next());
    p2.push_back(s2.next());
  }
  EXPECT_TRUE(s2.done());
  ASSERT_EQ(p1.size(), 3u);
  EXPECT_EQ(p1[0].size(2), 1);
  EXPECT_EQ(p1[1].size(2), vae->config.temporal_compression());
  EXPECT_TRUE(torch::equal(torch::cat(p1, 2), vae->decode(z1)));
  EXPECT_TRUE(torch::equal(torch::cat(p2, 2), vae->decode(z2)));
  EXPECT_THROW(s1.next(), xwam::Error);
}

TEST(VideoVae, ChunkedEncodingMatchesShorterVideos) {
  // The feature cache carries exactly the causal state: encoding a prefix of the video gives the
  // same leading latent frames as encoding the whole video.
  torch::NoGradGuard no_grad;
  auto vae = make_vae("demo");
  randomize(vae);
  auto x = random_video(1, 9, 32, 32);
  auto full = vae->encode(x);
  EXPECT_TRUE(torch::allclose(vae->encode(x.slice(2, 0, 1)), full.slice(2, 0, 1), 0, 1e-6));
  EXPECT_TRUE(torch::allclose(vae->encode(x.slice(2, 0, 5)), full.slice(2, 0, 2), 0, 1e-6));
  auto decoded = vae->decode(full);
  EXPECT_TRUE(torch::allclose(vae->decode(full.slice(2, 0, 2)), decoded.slice(2, 0, 5), 0, 1e-6));
}

namespace {

// The sine-pattern weights of tests/model/vae_golden.py (same formula, parameters in sorted-name
// order), so C++ and Wan2.2's Python compute with identical weights.
void deterministic_weights(VideoVae& vae) {
  torch::NoGradGuard no_grad;
  auto params = vae->named_parameters();
  std::vector<std::string> names(params.keys());
  std::sort(names.begin(), names.end());
  for (size_t k = 0; k < names.size(); ++k) {
    auto& p = params[names[k]];
    auto v = torch::sin(0.731 * torch::arange(p.numel(), torch::kDouble) + 0.1 * double(k)).reshape(p.sizes());
    const auto& name = names[k];
    auto ends_with = [&](const std::string& suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with("gamma"))
      v = 1.0 + 0.2 * v;
    else if (ends_with("bias"))
      v = 0.1 * v;
    else
      v = v * 1.5 / std::sqrt(double(p.numel() / p.size(0)));
    p.copy_(v.to(torch::kFloat));
  }
}

struct Golden {
  std::vector<float> mu_mean, log_var_mean, decoded_mean, mu_first, decoded_first;
};

void expect_near_all(const torch::Tensor& actual, const std::vector<float>& expected, const std::string& what) {
  auto a = actual.flatten().contiguous();
  ASSERT_EQ(a.numel(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(a[i].item<float>(), expected[i], 2e-5 + 1e-4 * std::abs(expected[i])) << what << "[" << i << "]";
}

}  // namespace

TEST(VideoVae, MatchesWan22ReferenceImplementation) {
  // Golden numbers from Wan2.2's own vae2_2.py (WanVAE_.encode/decode, chunked with its feature
  // cache) at the tiny size and a wider one (vae_golden.py's "demo" entry): tests/model/vae_golden.py,
  // run with Debian's python3-torch.
  const std::map<std::string, Golden> golden{
      {"tiny", {
      {0.09076495f, 0.2422984f, 0.5549793f, 0.3329762f, 0.3903542f, 0.6224411f, 0.4914467f, 0.4439729f, 0.5522009f, 0.5260385f, 0.382563f, 0.3467567f},  // mu_mean
      {0.4361939f, 0.2234626f, 0.05029687f, 0.2580288f, 0.01569846f, -0.2625458f, 0.04770428f, -0.1790509f, -0.5105046f, -0.1407698f, -0.3096789f, -0.6325536f},  // log_var_mean
      {0.05378167f, 0.03096916f, 0.03547794f, 0.0409331f, 0.0379281f, 0.01527318f, 0.002826121f, 0.03431807f, 0.06321242f, -0.05764322f, -0.04032299f, -0.0534846f, -0.05504552f, -0.05643251f, -0.03496545f, -0.0232379f, -0.05136754f, -0.08242217f, 0.05840789f, 0.04920194f, 0.06779406f, 0.0710156f, 0.0712478f, 0.05244273f, 0.04078572f, 0.0667403f, 0.098105f},  // decoded_mean
      {0.7154089f, 0.8866313f, -0.2547928f, -0.9841877f, 0.3126318f, 0.8547183f, 0.3061049f, -0.5042614f},  // mu_first
      {0.05676412f, 0.2939717f, -0.05945646f, 0.3801496f, -0.08553948f, 0.3776856f, -0.1020764f, 0.3615071f},  // decoded_first
      }},
      {"wide", {
      {0.4066988f, 0.4001768f, 0.394064f, 0.05687314f, 0.03582055f, 0.00806121f, -0.3039453f, -0.2903022f, -0.2747996f, 0.2275849f, 0.2440226f, 0.2665381f, 0.3754466f, 0.3562433f, 0.3331247f, -0.3151349f, -0.325077f, -0.3397725f, -0.3585963f, -0.3360301f, -0.3079407f, 0.263352f, 0.265661f, 0.2708551f, 0.101543f, 0.07819577f, 0.04834941f, -0.3747334f, -0.369145f, -0.3642434f, 0.07848129f, 0.09993823f, 0.1281266f, 0.5045379f, 0.4916915f, 0.477255f, -0.06960349f, -0.08671506f, -0.1100202f, -0.3700065f, -0.351372f, -0.3290524f, 0.1804817f, 0.1912901f, 0.2070455f, 0.1767087f, 0.1544182f, 0.1267692f},  // mu_mean
      {-0.4228961f, -0.4261647f, -0.4325676f, -0.1733687f, -0.1499726f, -0.1201579f, 0.4561548f, 0.4515094f, 0.4478273f, 0.120981f, 0.09915632f, 0.07058702f, -0.3199483f, -0.3079205f, -0.2945747f, 0.1490816f, 0.1668379f, 0.1908929f, 0.3333709f, 0.315337f, 0.2938544f, -0.3286105f, -0.3402667f, -0.3570551f, -0.3854795f, -0.3635028f, -0.3363415f, 0.2826643f, 0.2868868f, 0.2944876f, 0.1905613f, 0.1671564f, 0.137424f, -0.3186527f, -0.3149583f, -0.312502f, 0.05892248f, 0.08107775f, 0.1099793f, 0.4812415f, 0.4700529f, 0.4578205f, -0.09162855f, -0.1099992f, -0.1347631f, -0.439081f, -0.4216785f, -0.4010696f},  // log_var_mean
      {0.0647854f, 0.06254739f, 0.061223f, 0.06133847f, 0.06136738f, 0.06133125f, 0.06130115f, 0.06128887f, 0.06126694f, -0.07312894f, -0.0768089f, -0.0802244f, -0.08021338f, -0.08013947f, -0.08005319f, -0.08002765f, -0.08000377f, -0.0799607f, 0.06569808f, 0.06251721f, 0.05881214f, 0.05871291f, 0.05879282f, 0.05895603f, 0.05902373f, 0.05907117f, 0.05915654f},  // decoded_mean
      {0.4092126f, 0.4123982f, 0.4057988f, 0.3993857f, 0.3540095f, 0.3650559f, 0.4303736f, 0.4512683f},  // mu_first
      {-0.1318846f, 0.266444f, -0.1785958f, 0.3428163f, -0.1832283f, 0.3458877f, -0.1834095f, 0.3457923f},  // decoded_first
      }},
  };
  torch::NoGradGuard no_grad;
  for (const auto& [preset, g] : golden) {
    VideoVae vae(reference_size(preset));
    deterministic_weights(vae);
    const int64_t size = preset == "tiny" ? 16 : 32;
    const int64_t n = 3 * 9 * size * size;
    auto x = (0.9 * torch::sin(0.37 * torch::arange(n, torch::kDouble))).to(torch::kFloat).reshape({1, 3, 9, size, size});
    auto enc = vae->encode_distribution(x);
    auto y = vae->decode(enc.mean);
    expect_near_all(enc.mean.mean({0, 3, 4}), g.mu_mean, preset + " mu_mean");
    expect_near_all(enc.log_var.mean({0, 3, 4}), g.log_var_mean, preset + " log_var_mean");
    expect_near_all(y.mean({0, 3, 4}), g.decoded_mean, preset + " decoded_mean");
    expect_near_all(enc.mean.flatten().slice(0, 0, 8), g.mu_first, preset + " mu_first");
    expect_near_all(y.flatten().slice(0, 0, 8), g.decoded_first, preset + " decoded_first");
  }
}

TEST(VideoVaeBlocks, CachedCausalConvEqualsWholeSequence) {
  // Chunks of 1, 4, 4 frames through the cache = one causal conv over all 9 frames.
  torch::NoGradGuard no_grad;
  torch::manual_seed(1);
  vae::CausalConv3d conv(3, 5, std::array<int64_t, 3>{3, 3, 3}, std::array<int64_t, 3>{1, 1, 1},
                         std::array<int64_t, 3>{1, 1, 1}, torch::kCPU);
  auto x = torch::randn({2, 3, 9, 6, 6});
  auto whole = conv->forward(x);
  // Reference: zero-pad two frames in front and convolve without any temporal padding.
  auto padded = torch::cat({torch::zeros({2, 3, 2, 6, 6}), x}, 2);
  auto reference = torch::conv3d(padded, conv->weight, conv->bias, 1, {0, 1, 1});
  EXPECT_TRUE(torch::allclose(whole, reference, 1e-5, 1e-6));
  vae::FeatureCache cache;
  std::vector<torch::Tensor> parts;
  for (auto [start, len] : std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 4}, {5, 4}}) {
    cache.start_chunk();
    parts.push_back(vae::cached_conv(*conv, x.slice(2, start, start + len), cache));
  }
  EXPECT_TRUE(torch::allclose(torch::cat(parts, 2), whole, 1e-5, 1e-6));
}

TEST(VideoVaeBlocks, PatchifyAndShortcutsFollowWan22Layout) {
  // patchify: channel c·p² + r·p + q holds pixel (h·p + q, w·p + r) ("b c f (h q) (w r) -> b (c r q) f h w").
  auto x = torch::arange(2 * 3 * 2 * 4 * 6, torch::kFloat).reshape({2, 3, 2, 4, 6});
  auto p = vae::patchify(x, 2);
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{2, 12, 2, 2, 3}));
  auto xa = x.accessor<float, 5>();
  auto pa = p.accessor<float, 5>();
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 3; ++c)
      for (int f = 0; f < 2; ++f)
        for (int h = 0; h < 2; ++h)
          for (int w = 0; w < 3; ++w)
            for (int q = 0; q < 2; ++q)
              for (int r = 0; r < 2; ++r) ASSERT_EQ(pa[b][c * 4 + r * 2 + q][f][h][w], xa[b][c][f][h * 2 + q][w * 2 + r]);
  EXPECT_TRUE(torch::equal(vae::unpatchify(p, 2), x));

  // AvgDown3D, 1 → 2 channels, factor_t 2, factor_s 2 (group 4): out channel 0 averages the (t, q)
  // offsets with... hand-computed on a 1-channel [1, 1, 2, 2, 2] input: flattened (ft, fs, fs) order,
  // first 4 values → channel 0, last 4 → channel 1.
  auto v = torch::arange(8, torch::kFloat).reshape({1, 1, 2, 2, 2});  // v[t][h][w] = 4t + 2h + w
  auto down = vae::avg_down_3d(v, 2, 2, 2);
  ASSERT_EQ(down.sizes(), (std::vector<int64_t>{1, 2, 1, 1, 1}));
  EXPECT_FLOAT_EQ(down[0][0][0][0][0].item<float>(), (0 + 1 + 2 + 3) / 4.0f);  // t = 0
  EXPECT_FLOAT_EQ(down[0][1][0][0][0].item<float>(), (4 + 5 + 6 + 7) / 4.0f);  // t = 1
  // One frame with factor_t 2: a zero frame is padded in front.
  auto single = vae::avg_down_3d(v.slice(2, 0, 1), 2, 2, 2);
  EXPECT_FLOAT_EQ(single[0][0][0][0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(single[0][1][0][0][0].item<float>(), (0 + 1 + 2 + 3) / 4.0f);

  // DupUp3D is AvgDown3D's right inverse on repeated values; first chunk keeps the last time copy.
  auto z = torch::randn({1, 4, 2, 3, 3});
  auto up = vae::dup_up_3d(z, 2, 2, 2, false);
  ASSERT_EQ(up.sizes(), (std::vector<int64_t>{1, 2, 4, 6, 6}));
  EXPECT_TRUE(torch::allclose(vae::avg_down_3d(up, 4, 2, 2), z));
  EXPECT_TRUE(torch::equal(vae::dup_up_3d(z, 2, 2, 2, true), up.slice(2, 1)));
}

TEST(VideoVae, Wan22ParameterNamesAndCount) {
  // Shapes only (meta device): the 5B VAE has 704,688,668 parameters (vae2_2.py's WanVAE_ with
  // dim 160, dec_dim 256, z 48, mult [1, 2, 4, 4], 2 res blocks, temporal [F, T, T]: the published
  // configuration through the module structure's formula, tests/model/ParameterFormula.h).
  auto config = XWamConfig::preset("wan2.2-ti2v-5b").vae;
  ASSERT_EQ(config.latent_mean.size(), 48u);
  EXPECT_FLOAT_EQ(config.latent_mean[0], -0.2289f);
  EXPECT_FLOAT_EQ(config.latent_std[47], 0.7744f);
  VideoVae vae(config, torch::kMeta);
  std::map<std::string, std::vector<int64_t>> shapes;
  int64_t total = 0;
  for (const auto& p : vae->named_parameters()) {
    shapes[p.key()] = p.value().sizes().vec();
    total += p.value().numel();
  }
  EXPECT_EQ(total, 704688668);
  EXPECT_EQ(test::wan_vae(config), 704688668);
  EXPECT_TRUE(vae->named_buffers().is_empty());
  const std::map<std::string, std::vector<int64_t>> expected{
      {"encoder.conv1.weight", {160, 12, 3, 3, 3}},
      {"encoder.downsamples.0.downsamples.0.residual.0.gamma", {160, 1, 1, 1}},
      {"encoder.downsamples.0.downsamples.0.residual.2.weight", {160, 160, 3, 3, 3}},
      {"encoder.downsamples.0.downsamples.1.residual.6.bias", {160}},
      {"encoder.downsamples.0.downsamples.2.resample.1.weight", {160, 160, 3, 3}},
      {"encoder.downsamples.1.downsamples.0.shortcut.weight", {320, 160, 1, 1, 1}},
      {"encoder.downsamples.1.downsamples.2.time_conv.weight", {320, 320, 3, 1, 1}},
      {"encoder.downsamples.2.downsamples.2.time_conv.bias", {640}},
      {"encoder.downsamples.3.downsamples.1.residual.3.gamma", {640, 1, 1, 1}},
      {"encoder.middle.1.norm.gamma", {640, 1, 1}},
      {"encoder.middle.1.to_qkv.weight", {1920, 640, 1, 1}},
      {"encoder.middle.1.proj.weight", {640, 640, 1, 1}},
      {"encoder.middle.2.residual.6.weight", {640, 640, 3, 3, 3}},
      {"encoder.head.0.gamma", {640, 1, 1, 1}},
      {"encoder.head.2.weight", {96, 640, 3, 3, 3}},
      {"conv1.weight", {96, 96, 1, 1, 1}},
      {"conv2.weight", {48, 48, 1, 1, 1}},
      {"decoder.conv1.weight", {1024, 48, 3, 3, 3}},
      {"decoder.middle.0.residual.2.weight", {1024, 1024, 3, 3, 3}},
      {"decoder.middle.1.to_qkv.bias", {3072}},
      {"decoder.upsamples.0.upsamples.2.residual.6.weight", {1024, 1024, 3, 3, 3}},
      {"decoder.upsamples.0.upsamples.3.resample.1.weight", {1024, 1024, 3, 3}},
      {"decoder.upsamples.0.upsamples.3.time_conv.weight", {2048, 1024, 3, 1, 1}},
      {"decoder.upsamples.1.upsamples.3.time_conv.bias", {2048}},
      {"decoder.upsamples.2.upsamples.0.shortcut.weight", {512, 1024, 1, 1, 1}},
      {"decoder.upsamples.2.upsamples.0.residual.2.weight", {512, 1024, 3, 3, 3}},
      {"decoder.upsamples.2.upsamples.3.resample.1.weight", {512, 512, 3, 3}},
      {"decoder.upsamples.3.upsamples.0.shortcut.weight", {256, 512, 1, 1, 1}},
      {"decoder.upsamples.3.upsamples.2.residual.6.weight", {256, 256, 3, 3, 3}},
      {"decoder.head.0.gamma", {256, 1, 1, 1}},
      {"decoder.head.2.weight", {12, 256, 3, 3, 3}},
  };
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(shapes.count(name)) << name;
    EXPECT_EQ(shapes[name], shape) << name;
  }
  // Parameters Wan2.2 does not have: no time_conv where time is not resampled, no resample at the
  // last level, no identity shortcuts.
  for (const char* absent : {"encoder.downsamples.0.downsamples.2.time_conv.weight",
                             "encoder.downsamples.3.downsamples.2.resample.1.weight",
                             "decoder.upsamples.2.upsamples.3.time_conv.weight",
                             "decoder.upsamples.3.upsamples.3.resample.1.weight",
                             "encoder.downsamples.0.downsamples.0.shortcut.weight"})
    EXPECT_FALSE(shapes.count(absent)) << absent;
  // Smaller sizes hold what the same structure's formula says, including one whose encoder and
  // decoder widths, depths and temporal flags all differ.
  VaeConfig odd = reference_size("wide");
  odd.base_dim = 8;
  odd.dec_base_dim = 12;
  odd.z_dim = 6;
  odd.dim_mult = {1, 4, 2};
  odd.num_res_blocks = 2;
  odd.temporal_down = {true, false};
  odd.patch = 1;
  const std::pair<const char*, VaeConfig> sizes[] = {{"tiny", XWamConfig::preset("tiny").vae},
                                                     {"wide", reference_size("wide")},
                                                     {"demo", XWamConfig::preset("demo").vae},
                                                     {"odd", odd}};
  for (const auto& [name, c] : sizes) {
    int64_t actual = 0;
    for (auto& p : VideoVae(c, torch::kMeta)->parameters()) actual += p.numel();
    EXPECT_EQ(actual, test::wan_vae(c)) << name;
  }
}

TEST(VideoVae, LatentNormalizationUsesMeanAndStd) {
  // With mean/std set, encode = (mu − mean)/std and decode undoes it before decoding.
  torch::NoGradGuard no_grad;
  auto config = XWamConfig::preset("tiny").vae;
  torch::manual_seed(5);
  VideoVae plain(config);
  config.latent_mean = {0.5f, -1.0f, 0.0f, 2.0f};
  config.latent_std = {2.0f, 0.5f, 1.0f, 4.0f};
  VideoVae normalized(config);
  {
    auto src = plain->named_parameters();
    for (auto& p : normalized->named_parameters()) p.value().copy_(src[p.key()]);
  }
  auto x = random_video(1, 5, 16, 16);
  auto raw = plain->encode_distribution(x);
  auto norm = normalized->encode_distribution(x);
  auto mean = torch::tensor(config.latent_mean).view({1, 4, 1, 1, 1});
  auto std = torch::tensor(config.latent_std).view({1, 4, 1, 1, 1});
  EXPECT_TRUE(torch::allclose(norm.mean, (raw.mean - mean) / std, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(norm.log_var, raw.log_var - 2 * std.log(), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(normalized->decode(norm.mean), plain->decode(raw.mean), 1e-5, 1e-5));
}

TEST(VideoVae, ReconstructionTrainsEndToEnd) {
  auto vae = make_vae("tiny");
  auto x = random_video(1, 5, 16, 16) * 0.8;
  torch::optim::Adam adam(vae->parameters(), torch::optim::AdamOptions(3e-3));
  auto loss_of = [&] { return torch::mse_loss(vae->decode(vae->encode(x)), x); };
  const float first = loss_of().item<float>();
  for (int step = 0; step < 8; ++step) {
    adam.zero_grad();
    auto loss = loss_of();
    loss.backward();
    adam.step();
  }
  const float last = loss_of().item<float>();
  EXPECT_LT(last, 0.9f * first) << first << " → " << last;
  // Every parameter gets a gradient (nothing detached; the attention's zero-init output projection has
  // moved by now, so its inputs get one too).
  adam.zero_grad();
  loss_of().backward();
  for (const auto& p : vae->named_parameters())
    EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<float>() > 0) << p.key();
}

TEST(VideoVaeDepth, PseudoRgbRoundTrip) {
  const double near = 0.1, far = 5.0;
  auto depth = torch::linspace(near, far, 200).reshape({2, 10, 10});
  auto rgb = depth_to_pseudo_rgb(depth, 1, near, far);
  ASSERT_EQ(rgb.sizes(), (std::vector<int64_t>{2, 3, 10, 10}));
  EXPECT_TRUE(torch::equal(rgb.select(1, 0), rgb.select(1, 2)));
  EXPECT_NEAR(rgb.min().item<float>(), -1.0f, 1e-6);  // far
  EXPECT_NEAR(rgb.max().item<float>(), 1.0f, 1e-6);   // near
  auto back = pseudo_rgb_to_depth(rgb, 1, near, far);
  EXPECT_LT((back - depth).abs().max().item<float>(), 1e-4f);
  // Inverse depth is linear: the midpoint of [−1, 1] is at 1/d = (1/near + 1/far)/2.
  auto mid = pseudo_rgb_to_depth(torch::zeros({3, 1}), 0, near, far);
  EXPECT_NEAR(mid.item<float>(), 2.0 / (1.0 / near + 1.0 / far), 1e-5);
  // Invalid depth (0) is far; negative channel axis works.
  auto invalid = depth_to_pseudo_rgb(torch::zeros({4, 4}), -1, near, far);
  ASSERT_EQ(invalid.sizes(), (std::vector<int64_t>{4, 4, 3}));
  EXPECT_TRUE(torch::all(invalid == -1.0).item<bool>());
  EXPECT_THROW(pseudo_rgb_to_depth(torch::zeros({2, 4}), 0, near, far), xwam::Error);
  EXPECT_THROW(depth_to_pseudo_rgb(depth, 1, 2.0, 1.0), xwam::Error);
}
