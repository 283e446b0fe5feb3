// X-WAM checkpoints on disk. Ours is a directory:
//   CKPT/config.json        {"model": <XWamConfig JSON>, "norm_stats": {...}, ...extra keys}
//   CKPT/model.safetensors  tensors named as in the released checkpoints' `module` dict:
//                           model.* (the network), vae.* (video VAE), text_encoder.*
// read_checkpoint also accepts the released X-WAM layouts (a run directory with config.yaml and
// checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt, or that .pt file itself).
#pragma once
#include <string>

#include "engine/io/Safetensors.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/TextEncoder.h"
#include "engine/model/VideoVae.h"
#include "engine/model/XWamModel.h"

namespace xwam::model {

struct CheckpointData {
  std::string origin;      // the file or directory read (for errors)
  XWamConfig config;
  io::TensorMap tensors;   // prefixed names: model.*, vae.*, text_encoder.*
  std::string extra_json;  // config.json without "model" (e.g. "norm_stats"), "{}" when none
};

// Throws xwam::Error naming the path when it is none of the accepted layouts or is corrupt.
// `wan_dir`: a Wan2.2-TI2V-5B folder where a umT5 tokenizer the checkpoint lacks is looked for
// (google/umt5-xxl/spiece.model; a released run's config.yaml may name another folder in it, see
// find_released_tokenizer). Our checkpoints use it only when the tokenizer their config names is gone.
CheckpointData read_checkpoint(const std::string& path, const std::string& wan_dir = "");
// Writes a checkpoint into a new (absent or empty) folder; put it in place with an OutputDir of kind
// "checkpoint", which makes it appear whole and never replaces a user's folder.
void write_checkpoint(const std::string& dir, const XWamConfig& config, const io::TensorMap& tensors,
                      const std::string& extra_json = "{}");

// The three networks of a checkpoint.
struct XWamNetworks {
  XWamModel model{nullptr};
  VideoVae vae{nullptr};
  TextEncoder text{nullptr};
  io::TensorMap state() const;  // every tensor, prefixed (for write_checkpoint)
};
// Where and in what precision networks live: the X-WAM network on `device` in `dtype` (with the
// float32 parts of XWamModelImpl::set_dtype), the VAE on `device` in float32, the text encoder on
// `device` in float32 — except umT5-xxl next to a GPU, which stays on the host in bfloat16: it runs
// once per instruction, and the 5B network and it do not fit one 24 GB card together.
struct Placement {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
};
// Whether the text encoder of `config` stays on the host (bfloat16) when the networks go to `device`.
bool text_encoder_on_host(const XWamConfig& config, const torch::Device& device);
// Fresh networks of a config (seeded by the caller through torch::manual_seed).
XWamNetworks make_networks(const XWamConfig& config, const std::string& tokenizer_dir = "", const Placement& placement = {});
// Builds the networks of `ckpt` and loads every tensor, converted to the placement's device and
// dtype straight from the (mapped) checkpoint. All or nothing: missing, unexpected or mis-shaped
// tensors are listed by name in one xwam::Error.
XWamNetworks load_networks(const CheckpointData& ckpt, const std::string& tokenizer_dir = "", const Placement& placement = {});

// Tensors of `all` whose name starts with `prefix` + ".", with the prefix removed.
io::TensorMap with_prefix_removed(const io::TensorMap& all, const std::string& prefix);

}  // namespace xwam::model
