// `xwam convert` and `xwam init-from-wan` through the real program. convert: a released run directory
// written by the test becomes our checkpoint (same weights, norm_stats from the run's config.yaml);
// a corrupt or malicious .pt fails with the file named and leaves no output directory behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/io/Safetensors.h"
#include "engine/model/Checkpoint.h"
#include "tests/cli/CliRunner.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
using namespace xwam::model;
using namespace xwam::test;
using xwam::testing::run_xwam;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("xwam_convert_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// The tiny preset in the released sample layout (one state per video frame).
XWamConfig tiny_release_config() {
  XWamConfig c = XWamConfig::preset("tiny");
  c.num_states = c.video_frames();
  c.num_actions = (c.num_states - 1) * c.actions_per_frame;
  return c;
}

// A released run: config.yaml (with dataset statistics) + checkpoints/100.ckpt DeepSpeed states.
fs::path write_run(const fs::path& root, const XWamConfig& c, const io::TensorMap& state, const PyPtr& extra = nullptr) {
  const fs::path run = root / "run";
  fs::create_directories(run / "checkpoints/100.ckpt/checkpoint");
  std::ofstream(run / "config.yaml") << "text_len: " << c.dit.text_len << "\nvae_stride: (" << c.temporal_compression
                                     << ", 8, 8)\nframe_num: " << c.video_frames() << "\nnum_extra_layers: " << c.depth_layers
                                     << "\ndataset:\n  sequence_length: " << c.num_states
                                     << "\n  frame_skip: 1\n  action_skip: 1\n  video_size: [32, 32]\n"
                                        "  statistics:\n    q01:\n      gripper_pos: [-0.25]\n"
                                        "    q99:\n      gripper_pos: [0.75]\n";
  std::vector<std::pair<std::string, PyPtr>> module;
  for (const auto& [name, t] : state) {
    std::string theirs = name;
    if (name.rfind("vae.", 0) == 0) theirs = "vae.model." + name.substr(4);
    if (name.rfind("text_encoder.", 0) == 0) theirs = "text_encoder.model." + name.substr(13);
    module.emplace_back(theirs, tensor(t.detach()));
  }
  std::vector<std::pair<std::string, PyPtr>> top = {{"module", dict(module, true)}, {"global_steps", integer(100)}};
  if (extra) top.emplace_back("extra", extra);
  torch_save((run / "checkpoints/100.ckpt/checkpoint/mp_rank_00_model_states.pt").string(), dict(top),
             "mp_rank_00_model_states");
  return run;
}

}  // namespace

TEST(Convert, ReleasedRunBecomesOurCheckpoint) {
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(4);
  XWamNetworks nets = make_networks(c);
  const fs::path root = temp_dir("good");
  const fs::path run = write_run(root, c, nets.state());
  std::ofstream(root / "tiny.json") << XWamConfig::preset("tiny").to_json();
  const fs::path out = root / "ckpt";
  auto r = run_xwam("convert --in " + run.string() + " --out " + out.string() + " --config " +
                    (root / "tiny.json").string() + " --verify");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CheckpointData ckpt = read_checkpoint(out.string());
  EXPECT_EQ(ckpt.config.num_states, c.num_states);
  XWamNetworks loaded = load_networks(ckpt);
  for (const auto& [name, t] : nets.state()) EXPECT_TRUE(torch::equal(loaded.state().at(name), t)) << name;
  const auto extra = nlohmann::json::parse(ckpt.extra_json);
  ASSERT_TRUE(extra.contains("norm_stats")) << ckpt.extra_json;
  EXPECT_TRUE(extra.at("source").at("weights").get<std::string>().find("100.ckpt") != std::string::npos);
  fs::remove_all(root);
}

TEST(Convert, BadInputLeavesNothingBehind) {
  const XWamConfig c = tiny_release_config();
  torch::manual_seed(4);
  XWamNetworks nets = make_networks(c);
  const fs::path root = temp_dir("bad");
  std::ofstream(root / "tiny.json") << XWamConfig::preset("tiny").to_json();
  auto expect_refused = [&](const fs::path& run, const std::string& what) {
    const fs::path out = root / "ckpt";
    auto r = run_xwam("convert --in " + run.string() + " --out " + out.string() + " --config " + (root / "tiny.json").string());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("mp_rank_00_model_states.pt"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
    for (const auto& entry : fs::directory_iterator(root))  // no partial directory either
      EXPECT_EQ(entry.path().filename().string().find("ckpt"), std::string::npos) << entry.path();
  };
  // Truncated .pt.
  fs::path run = write_run(root, c, nets.state());
  const fs::path pt = run / "checkpoints/100.ckpt/checkpoint/mp_rank_00_model_states.pt";
  fs::resize_file(pt, fs::file_size(pt) - 100);
  expect_refused(run, "truncated");
  fs::remove_all(run);
  // A pickle that would run a shell command.
  run = write_run(root, c, nets.state(), call("os", "system", {str("touch /tmp/xwam_convert_pwned")}));
  expect_refused(run, "forbidden global os.system");
  EXPECT_FALSE(fs::exists("/tmp/xwam_convert_pwned"));
  fs::remove_all(root);
}

// `xwam init-from-wan` with a Wan2.2 directory in miniature: the DiT safetensors and Wan2.2_VAE.pth
// (a torch.save state dict) both land in our checkpoint; a VAE .pth of another shape is refused by
// tensor name and nothing is written.
TEST(InitFromWan, TakesTheVaePthIntoTheCheckpoint) {
  const XWamConfig c = XWamConfig::preset("tiny");
  const fs::path root = temp_dir("wan");
  const fs::path wan = root / "wan";
  fs::create_directories(wan);
  torch::manual_seed(8);
  io::TensorMap dit;
  for (const auto& [name, t] : io::state_of(*XWamModel(c)))
    if (name.rfind("extra_", 0) != 0 && name.find("view_embedding") == std::string::npos &&
        name.find("action_") == std::string::npos && name.find("proprio_") == std::string::npos)
      dit.emplace(name, t);
  io::write_safetensors((wan / "diffusion_pytorch_model.safetensors").string(), dit);
  VideoVae vae(c.vae);
  const io::TensorMap vae_params = io::state_of(*vae);
  std::map<std::string, torch::Tensor> vae_state(vae_params.begin(), vae_params.end());
  torch_save_state_dict((wan / "Wan2.2_VAE.pth").string(), vae_state);

  const fs::path out = root / "ckpt";
  auto r = run_xwam("init-from-wan --wan-dir " + wan.string() + " --config tiny --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("DiT, VAE from Wan2.2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fresh: builtin text encoder"), std::string::npos) << r.out;
  XWamNetworks loaded = load_networks(read_checkpoint(out.string()));
  for (const auto& [name, t] : vae_state) EXPECT_TRUE(torch::equal(io::state_of(*loaded.vae).at(name), t)) << name;
  for (const auto& [name, t] : dit) EXPECT_TRUE(torch::equal(io::state_of(*loaded.model).at(name), t)) << name;

  vae_state["encoder.conv1.bias"] = torch::zeros({3});
  torch_save_state_dict((wan / "Wan2.2_VAE.pth").string(), vae_state);
  const fs::path out2 = root / "ckpt2";
  r = run_xwam("init-from-wan --wan-dir " + wan.string() + " --config tiny --out " + out2.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Wan2.2_VAE.pth"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("encoder.conv1.bias"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out2));
  fs::remove_all(root);
}

// Damaged input reaches the program as a clean error naming the file, never a signal: an 8-byte
// self-referential pickle (once a stack overflow), a --config with num_heads 0 (once SIGFPE), a FIFO.
TEST(Convert, DamagedFilesFailCleanlyWithTheFileNamed) {
  const fs::path root = temp_dir("damaged");
  const fs::path pth = root / "self.pth";
  write_zip(pth.string(), {{"archive/data.pkl", std::string{'\x80', '\x02', ']', 'q', '\x00', '2', 'a', '.'}}});
  nlohmann::json config = nlohmann::json::parse(XWamConfig::preset("tiny").to_json());
  config["dit"]["num_heads"] = 0;
  std::ofstream(root / "zero_heads.json") << config.dump();
  std::ofstream(root / "tiny.json") << XWamConfig::preset("tiny").to_json();
  ASSERT_EQ(::mkfifo((root / "fifo.pt").c_str(), 0600), 0);
  for (const auto& [in, cfg, named] : std::vector<std::tuple<fs::path, fs::path, std::string>>{
           {pth, root / "tiny.json", "self-referential"},
           {pth, root / "zero_heads.json", "key dit.num_heads"},
           {root / "fifo.pt", root / "tiny.json", "FIFO"}}) {
    auto r = run_xwam("convert --in " + in.string() + " --out " + (root / "out").string() + " --config " + cfg.string());
    EXPECT_EQ(r.exit_code, 1) << r.err;  // an error exit, not a signal (-1)
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root / "out"));
  }
  fs::remove_all(root);
}
