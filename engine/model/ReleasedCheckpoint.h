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

// config.yaml → XWamConfig. The yaml fixes the sample layout (frame_num, vae_stride, video_size,
// sequence_length, frame_skip / action_skip, action_dim, proprio_dim, num_extra_layers, use_depth,
// text_len); everything it does not say (DiT widths, VAE, text encoder) comes from `base`.
XWamConfig config_from_released_yaml(const std::string& yaml_path, const XWamConfig& base);

// Reads a released checkpoint. The config is the config.yaml of the run directory (or of the nearest
// folder above the .pt file) applied over `base` (default wan2.2-ti2v-5b); without a config.yaml,
// `base` is the config and must be given. Either way the sizes visible in the weights (DiT width,
// blocks, depth blocks, views, state/action dims, VAE latent channels and normalization, umT5 size)
// are taken from the weights. Throws xwam::Error naming the file (no config found, no `module` dict,
// corrupt file, forbidden global, inconsistent config).
CheckpointData read_released_checkpoint(const std::string& path, const std::optional<XWamConfig>& base = {});

}  // namespace xwam::model
