// The released X-WAM checkpoint layout, built by the test itself at tiny size: a run directory with
// config.yaml and checkpoints/<step>.ckpt/checkpoint/mp_rank_00_model_states.pt (DeepSpeed `module`
// dict, side entries), read into the networks and compared with the same weights loaded from our
// safetensors checkpoint; a umT5 run read with nothing but itself and the Wan2.2 folder (its
// tokenizer); Wan2.2-style .pth state dicts loaded by name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/TorchCheckpoint.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/ReleasedCheckpoint.h"
#include "tests/io/TorchSaveWriter.h"
#include "tests/model/ReleasedRun.h"

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
  write_released_step(run, "100.ckpt", released_module(nets.state(), c));
  torch::manual_seed(6);
  write_released_step(run, "50.ckpt", released_module(make_networks(c).state(), c));  // older, other weights
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
  write_released_step(root, "epoch=0-step=7.ckpt", released_module(nets.state(), c));
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
  write_released_step(run, "3.ckpt", released_module(state, c));
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
  write_released_step(run, "last.ckpt", released_module(nets.state(), c));
  const std::string e = error_of([&] { read_checkpoint(run.string()); });
  EXPECT_NE(e.find("model config xwam_rc_"), std::string::npos) << e;  // the config is named after the run
  EXPECT_NE(e.find("head_dim"), std::string::npos) << e;
  const std::string not_ckpt = error_of([&] { read_checkpoint((run / "config.yaml").string()); });
  EXPECT_NE(not_ckpt.find("not a checkpoint"), std::string::npos) << not_ckpt;
  fs::remove_all(run);
}

// ---- a umT5 run: the tokenizer comes from the Wan2.2 folder ------------------------------------

namespace {

// A Wan2.2 folder holding only the umT5 tokenizer (a small SentencePiece model trained by
// libsentencepiece in a helper process), shared by the tests below.
class Umt5Run : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(temp_dir("umt5"));
    const fs::path spm = *root_ / "spm";
    fs::create_directories(spm);
    const std::string command = std::string(XWAM_SPM_REFERENCE) + " " + spm.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    fs::create_directories(wan_tokenizer().parent_path());
    fs::copy_file(spm / "plain.model", wan_tokenizer());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  static fs::path wan() { return *root_ / "wan"; }
  static fs::path wan_tokenizer() { return wan() / "google" / "umt5-xxl" / "spiece.model"; }
  static fs::path* root_;
};
fs::path* Umt5Run::root_ = nullptr;

}  // namespace

TEST_F(Umt5Run, LoadsWithNothingButTheRunAndTheWanFolder) {
  const XWamConfig c = released_umt5_config(wan_tokenizer().string());
  torch::manual_seed(5);
  XWamNetworks nets = make_networks(c);
  write_checkpoint((*root_ / "ours").string(), c, nets.state());
  const fs::path run = *root_ / "released_run";
  write_released_run(run, c, nets);

  // Without the Wan2.2 folder: the yaml, its keys, every place tried and the way out are named.
  const std::string e = error_of([&] { read_checkpoint(run.string()); });
  EXPECT_NE(e.find((run / "config.yaml").string()), std::string::npos) << e;
  EXPECT_NE(e.find("t5_tokenizer google/umt5-xxl"), std::string::npos) << e;
  EXPECT_NE(e.find("wan_checkpoint_dir ./checkpoints/wan22_5b/"), std::string::npos) << e;
  EXPECT_NE(e.find((fs::current_path() / "checkpoints/wan22_5b/google/umt5-xxl/spiece.model").string()), std::string::npos) << e;
  EXPECT_NE(e.find((run / "checkpoints/wan22_5b/google/umt5-xxl/spiece.model").string()), std::string::npos) << e;
  EXPECT_NE(e.find((run / "google/umt5-xxl/spiece.model").string()), std::string::npos) << e;
  EXPECT_NE(e.find("--wan-dir"), std::string::npos) << e;

  // With it, the yaml and the weights give the whole configuration: no base config is passed.
  const CheckpointData released = read_checkpoint(run.string(), wan().string());
  XWamConfig expected = c;
  expected.name = "released_run";
  EXPECT_EQ(released.config.to_json(), expected.to_json());
  EXPECT_EQ(released.config.text.tokenizer, wan_tokenizer().string());
  EXPECT_EQ(released.config.text.context_padding, "keep");  // X-WAM attends to all text_len rows

  XWamNetworks ours = load_networks(read_checkpoint((*root_ / "ours").string()));
  XWamNetworks from_release = load_networks(released);
  expect_same_outputs(ours, from_release, c);
}

TEST_F(Umt5Run, TokenizerIsLookedForInTheWanDirThenTheYamlsFolderThenBesideTheRun) {
  const XWamConfig c = released_umt5_config(wan_tokenizer().string());
  torch::manual_seed(5);
  const fs::path run = *root_ / "order_run";
  write_released_run(run, c, make_networks(c));
  const fs::path in_yaml_dir = run / "checkpoints/wan22_5b/google/umt5-xxl/spiece.model";
  const fs::path beside = run / "google/umt5-xxl/spiece.model";
  for (const auto& p : {in_yaml_dir, beside}) {
    fs::create_directories(p.parent_path());
    fs::copy_file(wan_tokenizer(), p);
  }
  auto tokenizer_of = [&](const std::string& wan_dir) {
    return read_released_checkpoint(run.string(), std::nullopt, wan_dir).config.text.tokenizer;
  };
  EXPECT_EQ(tokenizer_of(wan().string()), wan_tokenizer().string());
  EXPECT_EQ(tokenizer_of(""), in_yaml_dir.string());  // wan_checkpoint_dir, relative to the run folder
  fs::remove(in_yaml_dir);
  EXPECT_EQ(tokenizer_of(""), beside.string());
  // An absolute wan_checkpoint_dir is taken as it is.
  write_released_config_yaml(run / "config.yaml", c, wan().string());
  fs::remove(beside);
  EXPECT_EQ(tokenizer_of(""), wan_tokenizer().string());
  // A Wan2.2 folder without the tokenizer, and nothing else: it is the first place named.
  write_released_config_yaml(run / "config.yaml", c, "./checkpoints/wan22_5b/");
  const fs::path empty = *root_ / "empty_wan";
  fs::create_directories(empty);
  const std::string e = error_of([&] { tokenizer_of(empty.string()); });
  const size_t first = e.find((empty / "google/umt5-xxl/spiece.model").string());
  EXPECT_NE(first, std::string::npos) << e;
  EXPECT_LT(first, e.find((run / "google/umt5-xxl/spiece.model").string())) << e;
}

TEST_F(Umt5Run, OurCheckpointTakesAMovedTokenizerFromTheWanDir) {
  // Our checkpoint names its tokenizer by path; on another machine that path is gone.
  const fs::path old_tokenizer = *root_ / "old_machine" / "spiece.model";
  fs::create_directories(old_tokenizer.parent_path());
  fs::copy_file(wan_tokenizer(), old_tokenizer);
  const XWamConfig c = released_umt5_config(old_tokenizer.string());
  torch::manual_seed(5);
  const fs::path ckpt = *root_ / "moved";
  write_checkpoint(ckpt.string(), c, make_networks(c).state());
  fs::remove(old_tokenizer);
  EXPECT_EQ(read_checkpoint(ckpt.string()).config.text.tokenizer, old_tokenizer.string());  // as written
  const CheckpointData moved = read_checkpoint(ckpt.string(), wan().string());
  EXPECT_EQ(moved.config.text.tokenizer, wan_tokenizer().string());
  load_networks(moved);
  const fs::path empty = *root_ / "no_tokenizer_here";
  fs::create_directories(empty);
  const std::string e = error_of([&] { read_checkpoint(ckpt.string(), empty.string()); });
  EXPECT_NE(e.find((empty / "google/umt5-xxl/spiece.model").string()), std::string::npos) << e;
  EXPECT_NE(e.find(old_tokenizer.string()), std::string::npos) << e;
}
