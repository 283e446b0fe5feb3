// Test helper: a small X-WAM run with a umT5 text encoder in the layout the released trainer
// (scripts/train_sft.py) leaves behind, so every front end can be tested on one without Python:
//   RUN/config.yaml   the merged OmegaConf config: model keys (t5_model umt5_xxl, t5_tokenizer,
//                     wan_checkpoint_dir, vae_stride, frame_num, ...) and the dataset section that
//                     replaced `dataset: robocasa` (sequence_length, frame/action skip, video_size,
//                     statistics)
//   RUN/checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt   DeepSpeed states whose
//                     `module` holds model.*, vae.model.*, vae.mean / vae.std, text_encoder.model.*
// The tokenizer is not in the run (the trainer read it from the Wan2.2 folder). The network is small
// but keeps the conventions that let a reader take its sizes from the weights alone (DiT head_dim
// 128, umT5 head_dim 64), so nothing but the run has to be given. Not used by the engine.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/model/Checkpoint.h"
#include "tests/io/TorchSaveWriter.h"

namespace xwam::test {

// The run's network; `tokenizer` is the SentencePiece model file its umT5 encoder is built with.
inline model::XWamConfig released_umt5_config(const std::string& tokenizer) {
  model::XWamConfig c = model::XWamConfig::preset("tiny");  // 2 views, 3 × 4 × 4 latents, 9 states, 8 actions
  c.dit.dim = 128;
  c.dit.num_heads = 1;
  c.dit.ffn_dim = 128;
  c.dit.num_layers = 2;
  c.depth_layers = 1;
  c.dit.text_dim = 64;
  // A VAE unlike every preset's, so its sizes can only have come from the weights.
  c.vae = {4, 8, 4, {1, 2, 2}, 1, {true, true}, 2, {0.1f, -0.2f, 0.3f, 0.05f}, {1.1f, 0.9f, 1.3f, 0.7f}};
  c.text = {"umt5-xxl", 100, 64, 64, 1, 1, 8, tokenizer, "keep"};
  return c;
}

// config.yaml as OmegaConf.save(config, resolve=True) writes it for `c` (keys of
// configs/model/wan22_5b_sft.yaml, the data config under `dataset`).
inline void write_released_config_yaml(const std::filesystem::path& path, const model::XWamConfig& c,
                                       const std::string& wan_checkpoint_dir) {
  const int spatial = c.vae.spatial_compression();
  std::ofstream y(path);
  y << "t5_model: umt5_xxl\nt5_dtype: torch.bfloat16\ntext_len: " << c.dit.text_len
    << "\nt5_checkpoint: models_t5_umt5-xxl-enc-bf16.pth\nt5_tokenizer: google/umt5-xxl\n"
    << "vae_checkpoint: Wan2.2_VAE.pth\nvae_stride: (" << c.temporal_compression << ", " << spatial << ", " << spatial
    << ")\nnum_extra_layers: " << c.depth_layers << "\n"
    << "dataset:\n  dataset_path: ./sft_datasets/RoboCasa/\n  sequence_length: " << c.num_states
    << "\n  frame_skip: " << c.actions_per_frame << "\n  action_skip: 1\n  video_size:\n  - " << c.image_height()
    << "\n  - " << c.image_width()
    << "\n  augment: true\n  crop_ratio: 0.95\n  brightness: 0.2\n  contrast: 0.2\n  saturation: 0.2\n  hue: 0.05\n"
       "  inverse_gripper: false\n  normalize_depths_per_view: false\n  shuffle_view_order: false\n"
       "  statistics:\n    q01:\n      proprio_left_ee_xyz:\n      - -0.6\n      - -0.6\n      - -0.1\n"
       "      action_left_ee_xyz:\n      - -1\n      - -1\n      - -1\n"
       "      action_left_ee_axisangle:\n      - -0.4525565\n      - -0.4379963\n      - -0.39695188\n"
       "      gripper_pos:\n      - -0.0010162197\n      gripper_action:\n      - -1.0\n"
       "    q99:\n      proprio_left_ee_xyz:\n      - 0.6\n      - 0.6\n      - 0.9\n"
       "      action_left_ee_xyz:\n      - 1\n      - 1\n      - 1\n"
       "      action_left_ee_axisangle:\n      - 0.45255655\n      - 0.4379963\n      - 0.39695188\n"
       "      gripper_pos:\n      - 1.0155567\n      gripper_action:\n      - 1.0\n"
    << "action_dim: " << c.action_dim << "\nproprio_dim: " << c.state_dim << "\nwan_checkpoint_dir: " << wan_checkpoint_dir
    << "\npretrained_checkpoint: ./checkpoints/pretrained/checkpoints/last.ckpt\nexp_root: ./experiments/\n"
       "exp_name: debug\nseed: 42\nlr: 1.0e-05\nweight_decay: 0.01\nnum_warmup_steps: 200\nnum_training_steps: 20000\n"
       "batch_size_per_gpu: 4\nrf_distribution: uniform\ntime_shifting: 5.0\nflow_matching_num_train_timesteps: 1000\n"
       "sample_fps: 5\nsample_steps: 50\nframe_num: "
    << c.video_frames()
    << "\nuse_decoupled_inference: true\naction_denoise_steps: 10\nuse_depth: true\nuse_decoupled_sampling: true\n"
       "clean_action_ratio: 0.5\ntext_dropout_prob: 0.1\ncfg_list:\n- 0\n- 2\n- 4\n";
}

// Our prefixed tensors as the released `module` dict: the VAE and umT5 wrappers hold `.model`, and the
// VAE wrapper's latent normalization buffers sit beside it.
inline PyPtr released_module(const io::TensorMap& state, const model::XWamConfig& c) {
  std::vector<std::pair<std::string, PyPtr>> m;
  for (const auto& [name, t] : state) {
    std::string theirs = name;
    if (name.rfind("vae.", 0) == 0) theirs = "vae.model." + name.substr(4);
    if (name.rfind("text_encoder.", 0) == 0) theirs = "text_encoder.model." + name.substr(13);
    m.emplace_back(theirs, tensor(t.detach()));
  }
  m.emplace_back("vae.mean", tensor(torch::tensor(c.vae.latent_mean)));
  m.emplace_back("vae.std", tensor(torch::tensor(c.vae.latent_std)));
  return dict(m, true);
}

// RUN/checkpoints/<step>/checkpoint/mp_rank_00_model_states.pt with DeepSpeed's side entries.
inline void write_released_step(const std::filesystem::path& run, const std::string& step, const PyPtr& module) {
  const std::filesystem::path dir = run / "checkpoints" / step / "checkpoint";
  std::filesystem::create_directories(dir);
  torch_save((dir / "mp_rank_00_model_states.pt").string(),
             dict({{"module", module},
                   {"buffer_names", list({})},
                   {"global_steps", integer(100)},
                   {"ds_version", str("0.14.4")},
                   {"callbacks", object("lightning.pytorch.callbacks", "ModelCheckpoint", dict({{"k", str("v")}}))}}),
             "mp_rank_00_model_states");
}

// A whole run of `nets` (config `c`) at step 100.ckpt.
inline void write_released_run(const std::filesystem::path& run, const model::XWamConfig& c,
                               const model::XWamNetworks& nets,
                               const std::string& wan_checkpoint_dir = "./checkpoints/wan22_5b/") {
  std::filesystem::create_directories(run);
  write_released_config_yaml(run / "config.yaml", c, wan_checkpoint_dir);
  write_released_step(run, "100.ckpt", released_module(nets.state(), c));
}

}  // namespace xwam::test
