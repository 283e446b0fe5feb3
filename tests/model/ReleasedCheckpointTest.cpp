// The released X-WAM checkpoint layout, built by the test itself at tiny size: a run directory with
// config.yaml and checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt (DeepSpeed `module`
// dict, side entries), read into the networks and compared with the same weights loaded from our
// safetensors checkpoint; Wan2.2-style .pth state dicts loaded by name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/TorchCheckpoint.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/ReleasedCheckpoint.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
using namespace xwam::model;
using namespace xwam::test;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("xwam_rc_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The tiny preset with the released sample layout (one state per video frame, so the yaml's
// sequence_length describes it) and a latent normalization to carry through vae.mean / vae.std.
XWamConfig tiny_release_config() {
  XWamConfig c = XWamConfig::preset("tiny");
  c.num_states = c.video_frames();                            // 9 = sequence_length
  c.num_actions = (c.num_states - 1) * c.actions_per_frame;   // 8
  c.vae.latent_mean = {0.1f, -0.2f, 0.3f, 0.05f};
  c.vae.latent_std = {1.1f, 0.9f, 1.3f, 0.7f};
  return c;
}

// What the released trainer's OmegaConf dump says about this config (without its t5_model: umt5_xxl
// line: the tiny preset keeps its builtin text encoder).
void write_config_yaml(const fs::path& path, const XWamConfig& c) {
  std::ofstream y(path);
  y << "text_len: " << c.dit.text_len << "\nvae_stride: (" << c.temporal_compression << ", "
    << c.vae.spatial_compression() << ", " << c.vae.spatial_compression() << ")\nnum_extra_layers: " << c.depth_layers
    << "\naction_dim: " << c.action_dim << "\nproprio_dim: " << c.state_dim << "\nframe_num: " << c.video_frames()
    << "\nuse_depth: true\nlr: 1.0e-05\ndataset:\n  sequence_length: " << c.num_states
    << "\n  frame_skip: " << c.actions_per_frame << "\n  action_skip: 1\n  video_size:\n  - " << c.image_height()
    << "\n  - " << c.image_width() << "\n  statistics:\n    q01:\n      gripper_pos:\n      - -0.001\n";
}

// Our prefixed names → the released `module` dict (the VAE and umT5 wrappers hold `.model`).
PyPtr released_module(const io::TensorMap& state, const XWamConfig& c) {
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

void write_step(const fs::path& run, const std::string& step, const PyPtr& module) {
  const fs::path dir = run / "checkpoints" / step / "checkpoint";
  fs::create_directories(dir);
  torch_save((dir / "mp_rank_00_model_states.pt").string(),
             dict({{"module", module},
                   {"buffer_names", list({})},
                   {"global_steps", integer(100)},
                   {"ds_version", str("0.14.4")},
                   {"callbacks", object("lightning.pytorch.callbacks", "ModelCheckpoint", dict({{"k", str("v")}}))}}),
             "mp_rank_00_model_states");
}

ModelInputs fixed_inputs(const XWamConfig& c) {
  torch::manual_seed(11);
  ModelInputs in;
  in.video = torch::randn({2, c.views, c.dit.in_dim, c.latent_frames, c.latent_height, c.latent_width});
  in.states = torch::randn({2, c.num_states, c.state_dim});
  in.actions = torch::randn({2, c.num_actions, c.action_dim});
  in.t_video = torch::full({2}, 900.0);
  in.t_state = torch::full({2}, 900.0);
  in.t_action = torch::full({2}, 500.0);
  in.text = torch::randn({2, 5, c.dit.text_dim});
  in.run_depth = true;
  return in;
}

void expect_same_outputs(XWamNetworks& a, XWamNetworks& b, const XWamConfig& c) {
  torch::NoGradGuard no_grad;
  const auto in = fixed_inputs(c);
  const auto x = a.model->forward(in), y = b.model->forward(in);
  EXPECT_TRUE(torch::equal(x.video, y.video));
  EXPECT_TRUE(torch::equal(x.states, y.states));
  EXPECT_TRUE(torch::equal(x.actions, y.actions));
  EXPECT_TRUE(torch::equal(x.depth, y.depth));
  const auto video = torch::rand({1, 3, c.video_frames(), c.image_height(), c.image_width()}) * 2 - 1;
  EXPECT_TRUE(torch::equal(a.vae->encode(video), b.vae->encode(video)));
  EXPECT_TRUE(torch::equal(a.text->encode({"pick up the red cube"}), b.text->encode({"pick up the red cube"})));
}

}  // namespace

TEST(ReleasedCheckpoint, TinyRunLoadsBitIdenticalToOurCheckpoint) {
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(5);
  XWamNetworks nets = make_networks(c);
  const fs::path root = temp_dir("run");
  write_checkpoint((root / "ours").string(), c, nets.state());

  const fs::path run = root / "released_run";
  fs::create_directories(run);
  write_config_yaml(run / "config.yaml", c);
  write_step(run, "100.ckpt", released_module(nets.state(), c));
  torch::manual_seed(6);
  write_step(run, "50.ckpt", released_module(make_networks(c).state(), c));  // older, other weights
  EXPECT_TRUE(is_released_checkpoint(run.string()));
  EXPECT_EQ(released_weights_file(run.string()), (run / "checkpoints/100.ckpt/checkpoint/mp_rank_00_model_states.pt").string());

  XWamConfig base = XWamConfig::preset("tiny");  // yaml and weights must supply the rest
  const CheckpointData released = read_released_checkpoint(run.string(), base);
  XWamConfig expected = c;
  expected.name = released.config.name;
  EXPECT_EQ(released.config.to_json(), expected.to_json());
  EXPECT_EQ(released.tensors.size(), nets.state().size());

  XWamNetworks ours = load_networks(read_checkpoint((root / "ours").string()));
  XWamNetworks from_release = load_networks(released);
  expect_same_outputs(ours, from_release, c);
  fs::remove_all(root);
}

TEST(ReleasedCheckpoint, PtFileAloneFindsConfigAboveOrNeedsOne) {
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(5);
  XWamNetworks nets = make_networks(c);
  const fs::path root = temp_dir("pt");
  write_config_yaml(root / "config.yaml", c);
  write_step(root, "epoch=0-step=7.ckpt", released_module(nets.state(), c));
  const std::string pt = (root / "checkpoints/epoch=0-step=7.ckpt/checkpoint/mp_rank_00_model_states.pt").string();
  EXPECT_EQ(read_released_checkpoint(pt, XWamConfig::preset("tiny")).config.num_states, c.num_states);

  const fs::path alone = temp_dir("alone");
  fs::copy_file(pt, alone / "model_states.pt");
  const std::string e = error_of([&] { read_released_checkpoint((alone / "model_states.pt").string()); });
  EXPECT_NE(e.find("model_states.pt"), std::string::npos) << e;
  EXPECT_NE(e.find("--config"), std::string::npos) << e;
  const auto given = read_released_checkpoint((alone / "model_states.pt").string(), c);
  EXPECT_EQ(given.config.num_states, c.num_states);
  load_networks(given);
  fs::remove_all(root);
  fs::remove_all(alone);
}

TEST(ReleasedCheckpoint, MismatchesAreNamedAndNothingLoads) {
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(5);
  XWamNetworks nets = make_networks(c);
  io::TensorMap state = nets.state();
  state.erase("model.head.head.bias");
  state["model.bogus.weight"] = torch::zeros({2});
  state["model.action_decoder.2.bias"] = torch::zeros({c.action_dim + 1});
  const fs::path run = temp_dir("bad");
  write_config_yaml(run / "config.yaml", c);
  write_step(run, "3.ckpt", released_module(state, c));
  const std::string e = error_of([&] { load_networks(read_released_checkpoint(run.string(), XWamConfig::preset("tiny"))); });
  EXPECT_NE(e.find("head.head.bias"), std::string::npos) << e;
  EXPECT_NE(e.find("bogus.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("action_decoder.2.bias"), std::string::npos) << e;
  fs::remove_all(run);
}

TEST(ReleasedCheckpoint, Wan22VaePthLoadsByName) {
  const XWamConfig c = XWamConfig::preset("tiny");
  torch::manual_seed(9);
  VideoVae written(c.vae);
  const fs::path dir = temp_dir("pth");
  torch_save_state_dict((dir / "Wan2.2_VAE.pth").string(), io::state_of(*written));
  const auto tensors = io::read_torch_checkpoint((dir / "Wan2.2_VAE.pth").string());
  torch::manual_seed(10);
  VideoVae loaded(c.vae);
  io::load_into(*loaded, tensors, "Wan2.2_VAE.pth");
  for (const auto& [name, t] : io::state_of(*written)) EXPECT_TRUE(torch::equal(io::state_of(*loaded).at(name), t)) << name;
  fs::remove_all(dir);
}

TEST(ReleasedCheckpoint, ReadCheckpointDispatchesToTheReleasedReader) {
  // read_checkpoint has no base config: it takes the 5B preset under the run's config.yaml. A tiny
  // file contradicts that preset (24 heads of width 2), and the error shows the released reader was used.
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(5);
  XWamNetworks nets = make_networks(c);
  const fs::path run = temp_dir("dispatch");
  write_config_yaml(run / "config.yaml", c);
  write_step(run, "last.ckpt", released_module(nets.state(), c));
  const std::string e = error_of([&] { read_checkpoint(run.string()); });
  EXPECT_NE(e.find("model config xwam_rc_"), std::string::npos) << e;  // the config is named after the run
  EXPECT_NE(e.find("head_dim"), std::string::npos) << e;
  const std::string not_ckpt = error_of([&] { read_checkpoint((run / "config.yaml").string()); });
  EXPECT_NE(not_ckpt.find("not a checkpoint"), std::string::npos) << not_ckpt;
  fs::remove_all(run);
}
