// The checkpoints the X-WAM authors release (github sharinka0715/X-WAM, DeepSpeed through Lightning):
//   RUN/config.yaml                                               the trainer's merged OmegaConf config
//   RUN/checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt   torch.save zip, `module` dict
// read into our CheckpointData: `module`'s model.* is the network (same names as ours),
// vae.model.* → vae.* (vae.mean / vae.std become the config's latent normalization) and
// text_encoder.model.* → text_encoder.*. Tensors stay views of the mapped file.
#pragma once
#include <optional>
#include <string>

#include "engine/model/Checkpoint.h"

namespace xwam::model {

// True for a released run directory, a <step>.ckpt directory or a torch.save .pt/.pth file.
bool is_released_checkpoint(const std::string& path);

// The .pt file `path` stands for: itself, or the newest step of a run / .ckpt directory
// (last.ckpt when present, else the highest step number). Throws xwam::Error naming the path.
std::string released_weights_file(const std::string& path);

// config.yaml → XWamConfig. The yaml fixes the sample layout (frame_num, vae_stride, dataset.video_size,
// dataset.sequence_length, dataset.frame_skip / action_skip, action_dim, proprio_dim, num_extra_layers,
// use_depth, text_len) and the text encoder (t5_model: umt5_xxl → umt5-xxl with every context row kept,
// as the released encoder does); everything it does not say (DiT widths, VAE) comes from `base`.
XWamConfig config_from_released_yaml(const std::string& yaml_path, const XWamConfig& base);

// The umT5 tokenizer (SentencePiece model file) of a released run, which the run does not contain:
// the trainer read it from os.path.join(wan_checkpoint_dir, t5_tokenizer), a Hugging Face tokenizer
// folder (default google/umt5-xxl) whose SentencePiece model is spiece.model. Tried in this order:
//   1. WAN_DIR/<t5_tokenizer>/spiece.model                   (wan_dir: --wan-dir, the app's field)
//   2. <wan_checkpoint_dir>/<t5_tokenizer>/spiece.model       (relative: to the current folder, as the
//                                                             trainer ran, then to the run folder)
//   3. RUN/<t5_tokenizer>/spiece.model                        (beside the checkpoint)
// `yaml_path` may be empty (a .pt without config.yaml: RUN is then the .pt's folder). Returns the
// first file that exists; otherwise throws xwam::Error naming the yaml, its keys, every path tried,
// and --wan-dir.
std::string find_released_tokenizer(const std::string& yaml_path, const std::string& weights,
                                    const std::string& wan_dir);

// Reads a released checkpoint. The config is the config.yaml of the run directory (or of the nearest
// folder above the .pt file) applied over `base` (default wan2.2-ti2v-5b); without a config.yaml,
// `base` is the config and must be given. Either way the sizes visible in the weights (DiT width,
// blocks, depth blocks, views, state/action dims, the whole VAE and its latent normalization, umT5
// size) are taken from the weights. A umT5 text encoder without a tokenizer file in the config gets
// the one find_released_tokenizer finds (`wan_dir` is its first place to look). Throws xwam::Error
// naming the file (no config found, no `module` dict, corrupt file, forbidden global, inconsistent
// config, tokenizer not found).
CheckpointData read_released_checkpoint(const std::string& path, const std::optional<XWamConfig>& base = {},
                                        const std::string& wan_dir = "");

}  // namespace xwam::model
