// Every size of the X-WAM network comes from here: named presets (tiny, demo, wan2.2-ti2v-5b) and JSON.
#pragma once
#include <array>
#include <string>

namespace xwam::model {

struct DiTConfig {
  int dim = 3072, ffn_dim = 14336, freq_dim = 256, num_heads = 24, num_layers = 30;
  int in_dim = 48, out_dim = 48;        // latent channels in and out
  std::array<int, 3> patch{1, 2, 2};    // (t, h, w) patch of the latent video
  int text_dim = 4096, text_len = 512;
  double eps = 1e-6;
  int head_dim() const { return dim / num_heads; }
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
  int actions_per_frame = 4;     // actions per video frame
  int num_states = 9;            // proprio tokens: s_0 .. s_H
  int state_dim = 16, action_dim = 14;

  // Tokens of one sample: video (t, view, h, w), then actions, then states.
  int video_tokens() const;
  int tokens() const { return video_tokens() + num_actions + num_states; }
  // Video tokens of the clean condition frame (latent frame 0 of every view).
  int condition_tokens() const;

  static XWamConfig preset(const std::string& name);  // tiny | demo | wan2.2-ti2v-5b; throws xwam::Error
  static XWamConfig from_json_file(const std::string& path);
  std::string to_json() const;
  void validate() const;  // throws xwam::Error naming the inconsistent field
};

}  // namespace xwam::model
