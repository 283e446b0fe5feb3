#include "engine/model/ModelConfig.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/core/RegularFile.h"

namespace xwam::model {

int XWamConfig::video_tokens() const {
  return views * (latent_frames / dit.patch[0]) * (latent_height / dit.patch[1]) * (latent_width / dit.patch[2]);
}

int VaeConfig::temporal_compression() const {
  int tc = 1;
  for (bool down : temporal_down) tc *= down ? 2 : 1;
  return tc;
}

int XWamConfig::condition_tokens() const {
  return views * (latent_height / dit.patch[1]) * (latent_width / dit.patch[2]);
}

namespace {

// Wan2.2 VAE latent normalization (vae2_2.py, Wan2_2_VAE: scale = [mean, 1/std]), per latent channel.
const std::vector<float> kWan22LatentMean{
    -0.2289f, -0.0052f, -0.1323f, -0.2339f, -0.2799f, 0.0174f, 0.1838f, 0.1557f, -0.1382f, 0.0542f, 0.2813f, 0.0891f,
    0.1570f, -0.0098f, 0.0375f, -0.1825f, -0.2246f, -0.1207f, -0.0698f, 0.5109f, 0.2665f, -0.2108f, -0.2158f, 0.2502f,
    -0.2055f, -0.0322f, 0.1109f, 0.1567f, -0.0729f, 0.0899f, -0.2799f, -0.1230f, -0.0313f, -0.1649f, 0.0117f, 0.0723f,
    -0.2839f, -0.2083f, -0.0520f, 0.3748f, 0.0152f, 0.1957f, 0.1433f, -0.2944f, 0.3573f, -0.0548f, -0.1681f, -0.0667f,
};
const std::vector<float> kWan22LatentStd{
    0.4765f, 1.0364f, 0.4514f, 1.1677f, 0.5313f, 0.4990f, 0.4818f, 0.5013f, 0.8158f, 1.0344f, 0.5894f, 1.0901f,
    0.6885f, 0.6165f, 0.8454f, 0.4978f, 0.5759f, 0.3523f, 0.7135f, 0.6804f, 0.5833f, 1.4146f, 0.8986f, 0.5659f,
    0.7069f, 0.5338f, 0.4889f, 0.4917f, 0.4069f, 0.4999f, 0.6866f, 0.4093f, 0.5709f, 0.6065f, 0.6415f, 0.4944f,
    0.5726f, 1.2042f, 0.5458f, 1.6887f, 0.3971f, 1.0600f, 0.3943f, 0.5537f, 0.5444f, 0.4089f, 0.7468f, 0.7744f,
};

}  // namespace

XWamConfig XWamConfig::preset(const std::string& name) {
  XWamConfig c;
  c.name = name;
  if (name == "wan2.2-ti2v-5b") {  // the defaults are Wan2.2-TI2V-5B (wan22.md) + X-WAM (method.md)
    c.vae.latent_mean = kWan22LatentMean;
    c.vae.latent_std = kWan22LatentStd;
    return c;
  }
  if (name == "demo") {
    c.dit.dim = 256;
    c.dit.ffn_dim = 1024;
    c.dit.num_heads = 4;
    c.dit.num_layers = 6;
    c.dit.in_dim = c.dit.out_dim = 16;
    c.dit.text_dim = 256;
    c.dit.text_len = 32;
    c.depth_layers = 2;
    c.latent_height = 6;
    c.latent_width = 8;
    c.depth_near_m = 0.2;
    c.depth_far_m = 4.0;
    // Narrow at full resolution, wider where the grid is small: cheap enough to train on a CPU.
    c.vae = {16, 8, 8, {1, 2, 4, 4}, 1, {false, true, true}, 2, {}, {}};
    c.text = {"builtin", 4096, 256, 512, 4, 2, 32, ""};
    return c;
  }
  if (name == "tiny") {
    c.dit.dim = 48;
    c.dit.ffn_dim = 96;
    c.dit.freq_dim = 32;
    c.dit.num_heads = 2;
    c.dit.num_layers = 3;
    c.dit.in_dim = c.dit.out_dim = 4;
    c.dit.text_dim = 16;
    c.dit.text_len = 8;
    c.depth_layers = 1;
    c.views = 2;
    c.latent_frames = 3;
    c.latent_height = 4;
    c.latent_width = 4;
    c.num_actions = 8;
    c.actions_per_frame = 1;
    c.num_states = 9;
    c.vae = {4, 8, 8, {1, 1, 1}, 1, {true, true}, 2, {}, {}};
    c.text = {"builtin", 256, 16, 32, 2, 1, 8, ""};
    return c;
  }
  throw Error("unknown model config '" + name + "' (presets: tiny, demo, wan2.2-ti2v-5b, or a .json file)");
}

// Called on validated configs: their ranges keep the count far from int64 overflow.
int64_t XWamConfig::min_parameter_count() const {
  // Per block: self- and cross-attention q, k, v, o (dim × dim each) and the two FFN matrices.
  auto block = [](int64_t dim, int64_t ffn) { return 8 * dim * dim + 2 * dim * ffn; };
  const int64_t dit_params = (dit.num_layers + depth_layers) * block(dit.dim, dit.ffn_dim);
  // Text blocks: q, k, v, o and at least two FFN matrices, plus the token table.
  const int64_t text_params =
      int64_t{text.vocab} * text.dim + text.num_layers * (4 * int64_t{text.dim} * text.dim + 2 * int64_t{text.dim} * text.ffn_dim);
  return dit_params + text_params;
}

namespace {
// Largest network this program builds (Wan2.2's largest with umT5-xxl stay well below).
constexpr int64_t kMaxParameters = 100'000'000'000;
// Most video tokens of one sample (attention is quadratic in them).
constexpr int64_t kMaxVideoTokens = int64_t{1} << 24;
}  // namespace

void XWamConfig::validate(const std::string& origin) const {
  const std::string config = "model config " + name;
  auto require = [&](bool ok, const std::string& what) {
    if (!ok) throw Error(origin, config, what);
  };
  // Ranges first: later checks divide by these fields.
  auto range = [&](double value, double lo, double hi, const std::string& key) {
    auto text = [](double v) {
      std::ostringstream out;
      out << v;
      return out.str();
    };
    if (!(value >= lo && value <= hi))  // also refuses NaN
      throw Error(origin, config + ": key " + key, "must lie in [" + text(lo) + ", " + text(hi) + "], found " + text(value));
  };
  constexpr int kWidth = 1 << 16, kFfn = 1 << 18, kLayers = 512, kHeads = 1024, kChannels = 4096;
  range(dit.dim, 8, kWidth, "dit.dim");
  range(dit.ffn_dim, 1, kFfn, "dit.ffn_dim");
  range(dit.freq_dim, 2, kWidth, "dit.freq_dim");
  range(dit.num_heads, 1, kHeads, "dit.num_heads");
  range(dit.num_layers, 1, kLayers, "dit.num_layers");
  range(dit.in_dim, 1, kChannels, "dit.in_dim");
  range(dit.out_dim, 1, kChannels, "dit.out_dim");
  for (int i = 0; i < 3; ++i) range(dit.patch[i], 1, 64, "dit.patch[" + std::to_string(i) + "]");
  range(dit.text_dim, 1, kWidth, "dit.text_dim");
  range(dit.text_len, 1, kWidth, "dit.text_len");
  range(dit.eps, 1e-30, 1, "dit.eps");
  range(depth_layers, 0, dit.num_layers, "depth_layers");
  range(views, 1, 64, "views");
  range(latent_frames, 1, 4096, "latent_frames");
  range(latent_height, 1, 4096, "latent_height");
  range(latent_width, 1, 4096, "latent_width");
  range(temporal_compression, 1, 64, "temporal_compression");
  range(num_actions, 1, kWidth, "num_actions");
  range(actions_per_frame, 1, kChannels, "actions_per_frame");
  range(num_states, 1, kWidth, "num_states");
  range(state_dim, 1, kChannels, "state_dim");
  range(action_dim, 1, kChannels, "action_dim");
  range(depth_near_m, 1e-9, 1e9, "depth_near_m");
  range(depth_far_m, 1e-9, 1e9, "depth_far_m");
  range(vae.z_dim, 1, kChannels, "vae.z_dim");
  range(vae.base_dim, 1, kChannels, "vae.base_dim");
  range(vae.dec_base_dim, 1, kChannels, "vae.dec_base_dim");
  range(static_cast<double>(vae.dim_mult.size()), 1, 8, "vae.dim_mult (entries)");
  for (size_t i = 0; i < vae.dim_mult.size(); ++i) range(vae.dim_mult[i], 1, 64, "vae.dim_mult[" + std::to_string(i) + "]");
  range(vae.num_res_blocks, 0, 16, "vae.num_res_blocks");
  range(vae.patch, 1, 16, "vae.patch");
  for (size_t i = 0; i < vae.latent_mean.size(); ++i) range(vae.latent_mean[i], -1e6, 1e6, "vae.latent_mean[" + std::to_string(i) + "]");
  for (size_t i = 0; i < vae.latent_std.size(); ++i) range(vae.latent_std[i], 1e-12, 1e6, "vae.latent_std[" + std::to_string(i) + "]");
  range(text.vocab, 1, 1 << 22, "text.vocab");
  range(text.dim, 1, kWidth, "text.dim");
  range(text.ffn_dim, 1, kFfn, "text.ffn_dim");
  range(text.num_heads, 1, kHeads, "text.num_heads");
  range(text.num_layers, 0, kLayers, "text.num_layers");
  range(text.num_buckets, 1, 4096, "text.num_buckets");
  const int64_t tokens = int64_t{views} * (latent_frames / dit.patch[0]) * (latent_height / dit.patch[1]) *
                         (latent_width / dit.patch[2]);
  require(tokens <= kMaxVideoTokens, "the latent grid gives " + std::to_string(tokens) + " video tokens, more than " +
                                         std::to_string(kMaxVideoTokens));
  require(min_parameter_count() <= kMaxParameters,
          "the sizes imply at least " + std::to_string(min_parameter_count()) + " parameters, more than the " +
              std::to_string(kMaxParameters) + " this program builds");

  // Consistency.
  require(dit.dim % dit.num_heads == 0, "dim must be a multiple of num_heads");
  require(dit.head_dim() % 2 == 0 && dit.head_dim() >= 8, "head_dim must be even and at least 8");
  require(latent_frames % dit.patch[0] == 0 && latent_height % dit.patch[1] == 0 && latent_width % dit.patch[2] == 0,
          "latent grid must be divisible by the patch size");
  require(num_states == video_frames(), "num_states must equal the video frames of a sample (1 + H)");
  require(num_actions == (video_frames() - 1) * actions_per_frame,
          "num_actions must be H · actions_per_frame (one action per episode step)");
  require(vae.z_dim == dit.in_dim, "vae.z_dim must equal dit.in_dim (the DiT denoises VAE latents)");
  require(vae.dim_mult.size() == vae.temporal_down.size() + 1, "vae.temporal_down needs one entry per downsampling level");
  require(vae.temporal_compression() == temporal_compression,
          "temporal_compression must equal the VAE's (2 per true entry of vae.temporal_down)");
  require(vae.latent_mean.size() == vae.latent_std.size() &&
              (vae.latent_mean.empty() || static_cast<int>(vae.latent_mean.size()) == vae.z_dim),
          "vae.latent_mean/latent_std must both be empty or hold z_dim values");
  require(depth_far_m > depth_near_m, "depth range needs 0 < depth_near_m < depth_far_m");
  require(text.kind == "builtin" || text.kind == "umt5-xxl", "text.kind must be builtin or umt5-xxl");
  require(text.dim == dit.text_dim, "text.dim must equal dit.text_dim");
  require(text.dim % text.num_heads == 0, "text.dim must be a multiple of text.num_heads");
  require(text.context_padding.empty() || text.context_padding == "keep" || text.context_padding == "zero",
          "text.context_padding must be keep or zero");
}

std::string XWamConfig::to_json() const {
  nlohmann::json j = {
      {"name", name},
      {"dit", {{"dim", dit.dim}, {"ffn_dim", dit.ffn_dim}, {"freq_dim", dit.freq_dim}, {"num_heads", dit.num_heads},
               {"num_layers", dit.num_layers}, {"in_dim", dit.in_dim}, {"out_dim", dit.out_dim}, {"patch", dit.patch},
               {"text_dim", dit.text_dim}, {"text_len", dit.text_len}, {"eps", dit.eps}}},
      {"depth_layers", depth_layers}, {"views", views}, {"latent_frames", latent_frames},
      {"latent_height", latent_height}, {"latent_width", latent_width}, {"temporal_compression", temporal_compression},
      {"num_actions", num_actions}, {"actions_per_frame", actions_per_frame}, {"num_states", num_states},
      {"state_dim", state_dim}, {"action_dim", action_dim}, {"depth_near_m", depth_near_m}, {"depth_far_m", depth_far_m},
      {"vae", {{"z_dim", vae.z_dim}, {"base_dim", vae.base_dim}, {"dec_base_dim", vae.dec_base_dim},
               {"dim_mult", vae.dim_mult}, {"num_res_blocks", vae.num_res_blocks},
               {"temporal_down", vae.temporal_down}, {"patch", vae.patch}, {"latent_mean", vae.latent_mean},
               {"latent_std", vae.latent_std}}},
      {"text", {{"kind", text.kind}, {"vocab", text.vocab}, {"dim", text.dim}, {"ffn_dim", text.ffn_dim},
                {"num_heads", text.num_heads}, {"num_layers", text.num_layers}, {"num_buckets", text.num_buckets},
                {"tokenizer", text.tokenizer},
                {"context_padding", text.keeps_padding_rows() ? "keep" : "zero"}}}};
  return j.dump(2);
}

XWamConfig XWamConfig::from_json_file(const std::string& path) {
  return from_json_text(read_regular_file(path, json_fields::kMaxFileBytes, "model config"), path);
}

XWamConfig XWamConfig::from_json_text(const std::string& text, const std::string& path) {
  const nlohmann::json j = json_fields::parse(text, path);
  if (!j.is_object()) throw Error(path, "expected a JSON object (the model configuration)");
  // A checkpoint's or a training run's config.json holds the network under "model"; read as a bare
  // model config, its other keys were ignored and every size fell back to the 5B preset.
  if (j.contains("model")) {
    const nlohmann::json& m = j.at("model");
    if (m.is_object()) return from_json_text(m.dump(), path + " (model)");
    if (!m.is_string()) throw Error(path, "key model", "expected a preset name or a model config object");
    try {
      return preset(m.get<std::string>());
    } catch (const Error& e) {
      throw Error(path, "key model", e.message());
    }
  }
  std::string base = "wan2.2-ti2v-5b";
  json_fields::take(j, "base", base, path);
  XWamConfig c;
  try {
    c = preset(base);
  } catch (const Error& e) {
    throw Error(path, "key base", e.message());
  }
  std::string section;  // the key prefix in errors: "dit.", "vae.", "text."
  auto take = [&](const nlohmann::json& src, const char* key, auto& out) {
    json_fields::take(src, key, out, path, section);
  };
  take(j, "name", c.name);
  if (j.contains("dit")) {
    section = "dit.";
    const auto& d = j.at("dit");
    take(d, "dim", c.dit.dim);
    take(d, "ffn_dim", c.dit.ffn_dim);
    take(d, "freq_dim", c.dit.freq_dim);
    take(d, "num_heads", c.dit.num_heads);
    take(d, "num_layers", c.dit.num_layers);
    take(d, "in_dim", c.dit.in_dim);
    take(d, "out_dim", c.dit.out_dim);
    take(d, "patch", c.dit.patch);
    take(d, "text_dim", c.dit.text_dim);
    take(d, "text_len", c.dit.text_len);
    take(d, "eps", c.dit.eps);
  }
  section = "";
  take(j, "depth_layers", c.depth_layers);
  take(j, "views", c.views);
  take(j, "latent_frames", c.latent_frames);
  take(j, "latent_height", c.latent_height);
  take(j, "latent_width", c.latent_width);
  take(j, "temporal_compression", c.temporal_compression);
  take(j, "num_actions", c.num_actions);
  take(j, "actions_per_frame", c.actions_per_frame);
  take(j, "num_states", c.num_states);
  take(j, "state_dim", c.state_dim);
  take(j, "action_dim", c.action_dim);
  take(j, "depth_near_m", c.depth_near_m);
  take(j, "depth_far_m", c.depth_far_m);
  if (j.contains("vae")) {
    section = "vae.";
    const auto& v = j.at("vae");
    take(v, "z_dim", c.vae.z_dim);
    take(v, "base_dim", c.vae.base_dim);
    take(v, "dec_base_dim", c.vae.dec_base_dim);
    take(v, "dim_mult", c.vae.dim_mult);
    take(v, "num_res_blocks", c.vae.num_res_blocks);
    take(v, "temporal_down", c.vae.temporal_down);
    take(v, "patch", c.vae.patch);
    take(v, "latent_mean", c.vae.latent_mean);
    take(v, "latent_std", c.vae.latent_std);
  }
  if (j.contains("text")) {
    section = "text.";
    const auto& t = j.at("text");
    take(t, "kind", c.text.kind);
    take(t, "vocab", c.text.vocab);
    take(t, "dim", c.text.dim);
    take(t, "ffn_dim", c.text.ffn_dim);
    take(t, "num_heads", c.text.num_heads);
    take(t, "num_layers", c.text.num_layers);
    take(t, "num_buckets", c.text.num_buckets);
    take(t, "tokenizer", c.text.tokenizer);
    take(t, "context_padding", c.text.context_padding);
  }
  c.validate(path);
  return c;
}

}  // namespace xwam::model
