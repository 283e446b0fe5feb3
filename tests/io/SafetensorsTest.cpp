// safetensors: exact round trips in every dtype, sharded checkpoints, lying headers and truncated
// files named by tensor, and all-or-nothing loading into the X-WAM model.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/Safetensors.h"
#include "engine/model/WanInit.h"
#include "engine/model/XWamModel.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
std::string temp(const std::string& name) {
  return (fs::temp_directory_path() / ("xwam_st_" + std::to_string(::getpid()) + "_" + name)).string();
}

void expect_error_mentions(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  }
}
}  // namespace

TEST(Safetensors, RoundTripEveryDtype) {
  const auto path = temp("all.safetensors");
  io::TensorMap in = {{"a.f32", torch::randn({3, 4})},
                      {"b.bf16", torch::randn({5}).to(torch::kBFloat16)},
                      {"c.f16", torch::randn({2, 2}).to(torch::kFloat16)},
                      {"d.i64", torch::arange(7)},
                      {"e.u8", torch::arange(9, torch::kUInt8).view({3, 3})},
                      {"f.empty", torch::zeros({0, 4})}};
  io::write_safetensors(path, in, {{"format", "pt"}});
  auto out = io::read_safetensors(path);
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    EXPECT_EQ(out.at(name).scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(out.at(name), t)) << name;
  }
  auto header = io::safetensors_header(path);
  EXPECT_EQ(header.at("b.bf16").first, "BF16");
  fs::remove(path);
}

TEST(Safetensors, ShardIndexAndBadFilesAreNamed) {
  const auto s1 = temp("model-00001-of-00002.safetensors"), s2 = temp("model-00002-of-00002.safetensors");
  io::write_safetensors(s1, {{"x", torch::ones({2})}});
  io::write_safetensors(s2, {{"y", torch::full({3}, 2.0)}});
  const auto index = temp("model.safetensors.index.json");
  std::ofstream(index) << "{\"weight_map\": {\"x\": \"" << fs::path(s1).filename().string() << "\", \"y\": \""
                       << fs::path(s2).filename().string() << "\"}}";
  auto all = io::read_sharded_safetensors(index);
  EXPECT_EQ(all.at("y")[1].item<float>(), 2.f);

  // Truncated: the data section ends early.
  const auto truncated = temp("truncated.safetensors");
  fs::copy_file(s2, truncated, fs::copy_options::overwrite_existing);
  fs::resize_file(truncated, fs::file_size(s2) - 4);
  expect_error_mentions([&] { io::read_safetensors(truncated); }, {"truncated.safetensors", "tensor y"});
  // A header that lies about the size of a tensor.
  const auto lying = temp("lying.safetensors");
  {
    std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})";
    std::ofstream f(lying, std::ios::binary);
    uint64_t n = header.size();
    f.write(reinterpret_cast<char*>(&n), 8);
    f << header << std::string(8, '\0');
  }
  expect_error_mentions([&] { io::read_safetensors(lying); }, {"tensor w", "need 16"});
  std::ofstream(temp("junk.safetensors")) << "junk";
  expect_error_mentions([&] { io::read_safetensors(temp("junk.safetensors")); }, {"junk.safetensors"});
  for (const auto& f : {s1, s2, index, truncated, lying, temp("junk.safetensors")}) fs::remove(f);
}

TEST(Safetensors, ModelWeightsLoadAllOrNothing) {
  torch::manual_seed(1);
  model::XWamModel a(model::XWamConfig::preset("tiny"));
  torch::manual_seed(2);
  model::XWamModel b(model::XWamConfig::preset("tiny"));
  const auto path = temp("tiny.safetensors");
  io::write_safetensors(path, io::state_of(*a));
  io::load_into(*b, io::read_safetensors(path), path);
  for (const auto& [name, t] : io::state_of(*a)) EXPECT_TRUE(torch::equal(t, io::state_of(*b).at(name))) << name;

  // A missing key and a wrong shape are named, and nothing is loaded.
  auto tensors = io::read_safetensors(path);
  tensors.erase("blocks.1.ffn.0.weight");
  tensors["head.head.weight"] = torch::zeros({3, 3});
  torch::manual_seed(3);
  model::XWamModel c(model::XWamConfig::preset("tiny"));
  auto before = io::state_of(*c).at("blocks.0.self_attn.q.weight").clone();
  expect_error_mentions([&] { io::load_into(*c, tensors, path); },
                        {"tiny.safetensors", "missing: blocks.1.ffn.0.weight", "head.head.weight [3, 3]"});
  EXPECT_TRUE(torch::equal(before, io::state_of(*c).at("blocks.0.self_attn.q.weight")));
  fs::remove(path);
}


TEST(WanInit, Wan22NamedFileLoadsAndSeedsTheDepthBranch) {
  // A synthetic Wan2.2 file at tiny width: exactly the DiT's names and shapes, nothing of X-WAM's.
  torch::manual_seed(7);
  model::XWamModel donor(model::XWamConfig::preset("tiny"));
  io::TensorMap wan;
  for (const auto& [name, t] : io::state_of(*donor))
    if (!model::is_xwam_addition(name)) wan[name] = t.to(torch::kBFloat16);  // Wan2.2 ships bf16
  const auto path = temp("diffusion_pytorch_model.safetensors");
  io::write_safetensors(path, wan);
  EXPECT_EQ(wan.count("blocks.0.self_attn.q.weight"), 1u);

  torch::manual_seed(8);
  model::XWamModel x(model::XWamConfig::preset("tiny"));
  auto fresh = model::init_from_wan(x, io::read_safetensors(path), path);
  const auto state = io::state_of(*x);
  const int N = x->config.dit.num_layers, M = x->config.depth_layers;
  for (const auto& [name, t] : state) {
    if (name.rfind("extra_blocks.0.", 0) == 0) {
      const std::string rest = name.substr(15);
      const std::string src = "blocks." + std::to_string(N - M + std::stoi(rest)) + rest.substr(rest.find('.'));
      EXPECT_TRUE(torch::equal(t, state.at(src))) << name << " vs " << src;
    } else if (!model::is_xwam_addition(name)) {
      EXPECT_TRUE(torch::equal(t, wan.at(name).to(torch::kFloat32))) << name;
    }
  }
  for (const auto& name : fresh) EXPECT_TRUE(name.find("extra_blocks") == std::string::npos) << name;
  // The new parts are initialized as the released code does: the depth head fresh (not the main
  // head's copy), linear weights N(0, 0.02) with zero biases.
  EXPECT_EQ(std::count(fresh.begin(), fresh.end(), "extra_heads.0.head.weight"), 1);
  EXPECT_FALSE(torch::equal(state.at("extra_heads.0.head.weight"), state.at("head.head.weight")));
  for (const char* name : {"extra_heads.0.head.weight", "action_encoder.0.weight", "view_embedding.weight"})
    EXPECT_NEAR(state.at(name).std().item<double>(), 0.02, 0.004) << name;
  EXPECT_EQ(state.at("extra_heads.0.head.bias").abs().max().item<double>(), 0.0);

  // A file lacking a block tensor is refused by name, and nothing is loaded.
  auto broken = io::read_safetensors(path);
  broken.erase("blocks.2.cross_attn.o.weight");
  torch::manual_seed(9);
  model::XWamModel y(model::XWamConfig::preset("tiny"));
  auto before = io::state_of(*y).at("blocks.0.ffn.0.weight").clone();
  expect_error_mentions([&] { model::init_from_wan(y, broken, path); }, {"missing: blocks.2.cross_attn.o.weight"});
  EXPECT_TRUE(torch::equal(before, io::state_of(*y).at("blocks.0.ffn.0.weight")));
  fs::remove(path);
}
