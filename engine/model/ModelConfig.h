// Every size of the X-WAM network comes from here: named presets (tiny, demo, wan2.2-ti2v-5b) and JSON.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace xwam::model {

struct DiTConfig {
  int dim = 3072, ffn_dim = 14336, freq_dim = 256, num_heads = 24, num_layers = 30;
  int in_dim = 48, out_dim = 48;        // latent channels in and out
  std::array<int, 3> patch{1, 2, 2};    // (t, h, w) patch of the latent video
  int text_dim = 4096, text_len = 512;
  double eps = 1e-6;
  int head_dim() const { return dim / num_heads; }
};

// The causal video VAE (Wan2.2 VAE structure): 2×2 patchify, then len(dim_mult) levels of residual
// blocks with 2× spatial downsampling between levels (temporal 2× where temporal_down says so).
struct VaeConfig {
  int z_dim = 48;                              // latent channels (= the DiT's in_dim)
  int base_dim = 160;                          // c_dim
  int dec_base_dim = 256;                      // decoder width (Wan2.2: dec_dim 256)
  std::vector<int> dim_mult{1, 2, 4, 4};
  int num_res_blocks = 2;
  std::vector<bool> temporal_down{false, true, true};
  int patch = 2;                               // pixel patchify before the encoder (3 → 12 channels)
  std::vector<float> latent_mean, latent_std;  // per-channel normalization (empty: 0 and 1)
  int spatial_compression() const { return patch << (static_cast<int>(dim_mult.size()) - 1); }
  int temporal_compression() const;
};

// The instruction encoder: `builtin` (hashed-word tokenizer + small transformer, trained with the
// model) or `umt5-xxl` (Wan2.2's text encoder with its SentencePiece tokenizer).
struct TextConfig {
  std::string kind = "umt5-xxl";  // builtin | umt5-xxl
  int vocab = 256384;
  int dim = 4096, ffn_dim = 10240, num_heads = 64, num_layers = 24;
  int num_buckets = 32;           // relative position buckets (umT5)
  std::string tokenizer;          // SentencePiece model file (umt5-xxl), relative to the checkpoint
  // Padding rows of the context: "keep" (X-WAM: every row is encoded under the padding mask and the DiT
  // attends to all of them) or "zero" (Wan2.2). Empty = the kind's default: keep for umt5-xxl, zero for
  // builtin (our small encoder has always been trained with zeroed rows).
  std::string context_padding;
  bool keeps_padding_rows() const { return context_padding.empty() ? kind == "umt5-xxl" : context_padding == "keep"; }
};

struct XWamConfig {
  std::string name = "wan2.2-ti2v-5b";
  DiTConfig dit;
  int depth_layers = 10;        // M: last blocks copied into the depth branch
  int views = 3;
  int latent_frames = 3;        // latent frames per view: 1 condition + future (9 video frames → 3)
  int latent_height = 16, latent_width = 20;  // latent grid (before the DiT's 2×2 patch)
  int temporal_compression = 4;  // video frames per latent frame (after the first)
  int num_actions = 32;          // K
  int actions_per_frame = 4;     // actions per video frame (= episode steps per video frame)
  int num_states = 9;            // proprio tokens: s_0 .. s_H
  int state_dim = 16, action_dim = 14;
  double depth_near_m = 0.1, depth_far_m = 10.0;  // inverse-depth range of the depth pseudo-RGB
  VaeConfig vae;
  TextConfig text;

  // Pixel size of one view the model takes (latent grid × the VAE's spatial compression).
  int image_height() const { return latent_height * vae.spatial_compression(); }
  int image_width() const { return latent_width * vae.spatial_compression(); }
  // Video frames per view of one sample: 1 + (latent_frames − 1) · temporal compression.
  int video_frames() const { return 1 + (latent_frames - 1) * temporal_compression; }

  // Tokens of one sample: video (t, view, h, w), then actions, then states.
  int video_tokens() const;
  int tokens() const { return video_tokens() + num_actions + num_states; }
  // Video tokens of the clean condition frame (latent frame 0 of every view).
  int condition_tokens() const;

  static XWamConfig preset(const std::string& name);  // tiny | demo | wan2.2-ti2v-5b; throws xwam::Error
  static XWamConfig from_json_file(const std::string& path);
  // `origin` names the source in errors. A "base" key picks the preset the JSON starts from.
  static XWamConfig from_json_text(const std::string& text, const std::string& origin);
  std::string to_json() const;
  // Every field in its range (sizes ≥ 1, divisors non-zero, widths and layer counts capped so no
  // config builds a network for minutes), then their consistency. Throws xwam::Error naming `origin`
  // (default "model config <name>") and the field.
  void validate(const std::string& origin = "") const;
  // The parameters the config implies at least (DiT blocks and depth twins, text encoder), in values:
  // weights holding fewer cannot be this network, which is checked before anything is built.
  int64_t min_parameter_count() const;
};

}  // namespace xwam::model
