// torch.save checkpoints read without Python: a DeepSpeed-like file written by the test itself
// (tensors of every dtype, shared storages and strided views, an unknown class in a side entry) read
// back value by value; zip64 and deflated archives; forbidden globals, corrupt zips and tensors
// outside their storage refused with errors naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/TorchCheckpoint.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
using namespace xwam::test;
namespace fs = std::filesystem;

namespace {
std::string temp(const std::string& name) {
  return (fs::temp_directory_path() / ("xwam_tc_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A DeepSpeed model-states file in miniature: the `module` state dict plus bookkeeping entries.
struct DeepSpeedLike {
  std::map<std::string, PyPtr> tensors;  // name inside `module` → what was written
  PyPtr root;
  DeepSpeedLike() {
    torch::manual_seed(3);
    auto weight = tensor(torch::randn({4, 6}));
    tensors = {{"model.blocks.0.self_attn.q.weight", weight},
               {"model.blocks.0.self_attn.q.weight_t", view(weight, 0, {6, 4}, {1, 6})},  // transposed view
               {"model.blocks.0.row2", view(weight, 12, {6}, {1})},                      // offset view
               {"model.head.bf16", tensor(torch::randn({3, 5}).to(torch::kBFloat16))},
               {"vae.conv1.fp16", tensor(torch::randn({2, 3, 1, 1, 1}).to(torch::kFloat16))},
               {"text_encoder.ids.i64", tensor(torch::arange(-3, 1000003, 100000))},
               {"model.flags.bool", tensor(torch::tensor({true, false, true}))},
               {"model.scale.f64", tensor(torch::tensor(2.5, torch::kFloat64))},  // 0-dim
               {"model.empty", tensor(torch::zeros({0, 3}))}};
    std::vector<std::pair<std::string, PyPtr>> module;
    for (const auto& [name, t] : tensors) module.emplace_back(name, t);
    root = dict({{"module", dict(module, true)},
                 {"buffer_names", list({str("model.freqs")})},
                 {"optimizer", none()},
                 {"param_shapes", list({dict({{"model.head.bf16", call("torch", "Size", {tuple({integer(3), integer(5)})})}}, true)})},
                 {"global_steps", integer(100)},
                 {"global_samples", integer(int64_t(1) << 40)},
                 {"lr", real(1e-5)},
                 {"skipped_steps", integer(-1)},
                 {"ds_config", dict({{"bf16", dict({{"enabled", boolean(true)}})}})},
                 {"ds_version", str("0.14.0")},
                 {"side", object("lightning.pytorch.callbacks.model_checkpoint", "ModelCheckpoint",
                                 dict({{"best_model_path", str("x")}, {"score", tensor(torch::ones({1}))}}))}});
  }
};

void expect_round_trip(const std::string& path, const DeepSpeedLike& ds) {
  std::vector<std::string> warnings;
  const auto all = io::read_torch_checkpoint(path, &warnings);
  EXPECT_EQ(all.size(), ds.tensors.size());  // only the module's tensors: the side entry is skipped
  for (const auto& [name, t] : ds.tensors) {
    ASSERT_TRUE(all.count("module." + name)) << name;
    const auto& got = all.at("module." + name);
    const auto want = expected(t);
    EXPECT_EQ(got.scalar_type(), want.scalar_type()) << name;
    EXPECT_EQ(got.sizes(), want.sizes()) << name;
    EXPECT_TRUE(torch::equal(got, want)) << name;
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("'side'"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("ModelCheckpoint"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("not executed"), std::string::npos) << warnings[0];

  const auto module = io::read_torch_checkpoint(path, nullptr, "module");
  ASSERT_EQ(module.size(), ds.tensors.size());
  for (const auto& [name, t] : ds.tensors) EXPECT_TRUE(torch::equal(module.at(name), expected(t))) << name;
}
}  // namespace

TEST(TorchCheckpoint, DeepSpeedLikeFileReadsBackEveryValue) {
  DeepSpeedLike ds;
  const auto path = temp("mp_rank_00_model_states.pt");
  torch_save(path, ds.root, "mp_rank_00_model_states");
  expect_round_trip(path, ds);
  EXPECT_TRUE(io::is_torch_checkpoint(path));
  // Views of the mapping, not copies: the transposed view and the weight share memory.
  const auto module = io::read_torch_checkpoint(path, nullptr, "module");
  EXPECT_EQ(module.at("model.blocks.0.self_attn.q.weight").data_ptr(),
            module.at("model.blocks.0.self_attn.q.weight_t").data_ptr());
  fs::remove(path);
}

TEST(TorchCheckpoint, Zip64AndDeflatedArchives) {
  DeepSpeedLike ds;
  const auto p64 = temp("zip64.pt"), pdef = temp("deflate.pt");
  torch_save(p64, ds.root, "archive", {true, false});
  expect_round_trip(p64, ds);
  torch_save(pdef, ds.root, "archive", {false, true});
  expect_round_trip(pdef, ds);
  fs::remove(p64);
  fs::remove(pdef);
}

TEST(TorchCheckpoint, PlainStateDictAndMissingRoot) {
  const auto path = temp("state.pth");
  torch_save_state_dict(path, {{"encoder.conv1.weight", torch::randn({2, 3})}, {"decoder.bias", torch::arange(4.f)}});
  const auto t = io::read_torch_checkpoint(path);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(torch::equal(t.at("decoder.bias"), torch::arange(4.f)));
  const std::string e = error_of([&] { io::read_torch_checkpoint(path, nullptr, "module"); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("no entry 'module'"), std::string::npos) << e;
  EXPECT_NE(e.find("encoder.conv1.weight"), std::string::npos) << e;  // lists the keys present
  fs::remove(path);
}

TEST(TorchCheckpoint, ForbiddenGlobalsAreRefusedByName) {
  const auto path = temp("evil.pt");
  const std::vector<std::pair<std::string, std::string>> evil = {
      {"os", "system"}, {"posix", "system"}, {"builtins", "eval"}, {"__builtin__", "exec"},
      {"subprocess", "Popen"}, {"builtins", "getattr"}};
  for (const auto& [module, name] : evil) {
    torch_save(path, dict({{"module", dict({{"w", tensor(torch::ones({2}))}})},
                           {"x", call(module, name, {str("touch /tmp/xwam_pwned")})}}));
    const std::string e = error_of([&] { io::read_torch_checkpoint(path); });
    EXPECT_NE(e.find(path), std::string::npos) << e;
    EXPECT_NE(e.find("forbidden global " + module + "." + name), std::string::npos) << e;
  }
  EXPECT_FALSE(fs::exists("/tmp/xwam_pwned"));
  fs::remove(path);
}

TEST(TorchCheckpoint, CorruptZipsAreNamed) {
  DeepSpeedLike ds;
  const auto good = temp("good.pt"), bad = temp("bad.pt");
  torch_save(good, ds.root);
  const std::string bytes = slurp(good);
  auto expect_named = [&](const std::string& content, const std::string& what) {
    spit(bad, content);
    const std::string e = error_of([&] { io::read_torch_checkpoint(bad); });
    EXPECT_NE(e.find(bad), std::string::npos) << e;
    EXPECT_NE(e.find(what), std::string::npos) << e;
  };
  expect_named(bytes.substr(0, bytes.size() / 2), "truncated");         // no directory at the end
  expect_named(bytes.substr(0, bytes.size() - 10), "truncated");        // record cut
  std::string flipped = bytes;
  const size_t name0 = bytes.find("archive/data/0");  // in storage 0's local header
  ASSERT_NE(name0, std::string::npos);
  // Flip a byte inside storage 0's data (64-byte aligned after its 4-byte padding field).
  const size_t payload = (name0 + std::string("archive/data/0").size() + 4 + 63) / 64 * 64;
  flipped[payload + 1] ^= 0x5a;
  expect_named(flipped, "CRC-32 mismatch");
  // Point the first central-directory entry's local-header offset past the end of the file.
  std::string moved = bytes;
  const size_t first_central = bytes.find(std::string("\x50\x4b\x01\x02", 4));
  ASSERT_NE(first_central, std::string::npos);
  moved[first_central + 45] = '\x7f';
  expect_named(moved, "bad offset");
  expect_named("this is not a checkpoint", "not a torch.save checkpoint");
  expect_named(std::string("\x80\x02}q\x00.", 6), "legacy torch.save format");
  fs::remove(good);
  fs::remove(bad);
}

TEST(TorchCheckpoint, TensorOutsideItsStorageIsRefused) {
  auto base = tensor(torch::ones({8}));
  const auto path = temp("outside.pt");
  torch_save(path, dict({{"a", base}, {"b", view(base, 6, {4}, {1})}}));
  const std::string e = error_of([&] { io::read_torch_checkpoint(path); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("storage of 8"), std::string::npos) << e;
  fs::remove(path);
}
