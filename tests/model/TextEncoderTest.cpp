// The instruction encoders: the builtin hashed-word encoder (tokens, shapes, zero padding, training)
// and the umT5 encoder (t5.py layout and parameter count, mask, relative buckets, SentencePiece).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/model/TextEncoder.h"

using namespace xwam::model;
namespace fs = std::filesystem;

namespace {

TextConfig builtin_config(int vocab = 256, int dim = 16) { return {"builtin", vocab, dim, 2 * dim, 2, 1, 32, ""}; }

// umT5 at a tiny width: dim 16, ffn 32, 2 heads, 2 layers, vocab 100, 32 buckets.
TextConfig tiny_umt5_config(const std::string& tokenizer) { return {"umt5-xxl", 100, 16, 32, 2, 2, 32, tokenizer}; }

// Parameters of t5.py's T5Encoder (shared_pos=False, dim_attn = dim):
//   vocab·dim                                   token_embedding
// + layers·(2·dim + 4·dim² + 3·dim·ffn + buckets·heads)   norm1, norm2, q/k/v/o, gate/fc1/fc2, relative bias
// + dim                                         final norm
int64_t umt5_parameters(const TextConfig& c) {
  const int64_t d = c.dim, f = c.ffn_dim;
  return int64_t(c.vocab) * d + int64_t(c.num_layers) * (2 * d + 4 * d * d + 3 * d * f + int64_t(c.num_buckets) * c.num_heads) + d;
}


}  // namespace

// ---- builtin -----------------------------------------------------------------------------------

TEST(BuiltinTextEncoder, WordsHashToFixedIds) {
  TextEncoder text(builtin_config(4096), 8);
  auto [ids, mask] = text->tokenize({"pick up the red cube", "  Pick UP, the red-cube!", "pick up the blue cube"});
  // FNV-1a 64 of each lower-cased word, mod 4094, + 2: the same numbers on every machine.
  const std::vector<int64_t> expected{1054, 1916, 802, 542, 232, 1, 0, 0};
  EXPECT_TRUE(torch::equal(ids[0], torch::tensor(expected))) << ids[0];
  EXPECT_TRUE(torch::equal(ids[1], ids[0])) << "case and punctuation must not matter";
  EXPECT_EQ(ids[2][3].item<int64_t>(), 785) << "blue";
  EXPECT_NE(ids[2][3].item<int64_t>(), ids[0][3].item<int64_t>());
  EXPECT_TRUE(torch::equal(mask[0], torch::tensor({1, 1, 1, 1, 1, 1, 0, 0}).to(torch::kBool)));
  // Same call again: same ids.
  EXPECT_TRUE(torch::equal(text->tokenize({"pick up the red cube"}).first[0], ids[0]));
}

TEST(BuiltinTextEncoder, TruncatesToTextLenMinusOneThenEnd) {
  TextEncoder text(builtin_config(), 8);
  auto [ids, mask] = text->tokenize({"a b c d e f g h i j k", "", "a b c d e f g"});
  EXPECT_TRUE(torch::equal(ids[0], ids[2])) << "words after the 7th are dropped";
  EXPECT_EQ(ids[0][7].item<int64_t>(), 1);
  EXPECT_TRUE(mask[0].all().item<bool>());
  EXPECT_EQ(ids[1][0].item<int64_t>(), 1) << "an empty instruction is just the end token";
  EXPECT_EQ(mask[1].sum().item<int64_t>(), 1);
  for (int i = 0; i < 7; ++i) EXPECT_GE(ids[0][i].item<int64_t>(), 2);
}

TEST(BuiltinTextEncoder, ShapeAndZeroPadding) {
  torch::manual_seed(1);
  TextEncoder text(builtin_config(), 8);
  auto e = text->encode({"pick up the red cube", "push", "pick up the red cube"});
  ASSERT_EQ(e.sizes(), torch::IntArrayRef({3, 8, 16}));
  auto mask = text->tokenize({"pick up the red cube", "push"}).second;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 8; ++i) {
      if (mask[b][i].item<bool>())
        EXPECT_GT(e[b][i].abs().sum().item<float>(), 1.0f) << b << "," << i;
      else
        EXPECT_TRUE(torch::equal(e[b][i], torch::zeros({16}))) << "padded row " << b << "," << i << " not zero";
    }
  EXPECT_TRUE(torch::allclose(e[0], e[2], 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(e[0].slice(0, 0, 1), e[1].slice(0, 0, 1)));
}

TEST(BuiltinTextEncoder, PaddingDoesNotChangeRealTokens) {
  torch::manual_seed(2);
  TextEncoder text(builtin_config(), 8);
  auto [ids, mask] = text->tokenize({"open the drawer"});
  auto noisy = ids.clone();
  noisy.slice(1, 4, 8).copy_(torch::randint(2, 256, {1, 4}, torch::kInt64));
  torch::NoGradGuard no_grad;
  auto clean = text->forward(ids, mask);
  auto other = text->forward(noisy, mask);
  EXPECT_TRUE(torch::allclose(clean, other, 1e-5, 1e-6));
  // The mask really is applied: unmasking the padding changes the real tokens.
  EXPECT_FALSE(torch::allclose(clean.slice(1, 0, 4), text->forward(noisy, torch::ones_like(mask)).slice(1, 0, 4), 1e-4, 1e-5));
}

TEST(BuiltinTextEncoder, IsTrainable) {
  torch::manual_seed(3);
  TextEncoder text(builtin_config(), 8);
  const std::vector<std::string> texts{"pick up the red cube", "pick up the blue cube"};
  auto target = torch::randn({2, 8, 16}) * text->tokenize(texts).second.unsqueeze(-1);
  torch::optim::Adam adam(text->parameters(), torch::optim::AdamOptions(1e-2));
  float first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    auto loss = torch::mse_loss(text->encode(texts), target);
    adam.zero_grad();
    loss.backward();
    if (step == 0) {
      for (const auto& p : text->named_parameters())
        EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<float>() > 0) << p.key() << " gets no gradient";
      first = loss.item<float>();
    }
    last = loss.item<float>();
    adam.step();
  }
  EXPECT_LT(last, 0.5f * first) << "first " << first << " last " << last;
}

TEST(BuiltinTextEncoder, RejectsBadInput) {
  TextEncoder text(builtin_config(), 8);
  EXPECT_THROW(text->forward(torch::zeros({1, 9}, torch::kInt64), torch::ones({1, 9}, torch::kBool)), xwam::Error);
  EXPECT_THROW(text->forward(torch::zeros({1, 4}, torch::kInt32), torch::ones({1, 4}, torch::kBool)), xwam::Error);
  EXPECT_THROW(text->forward(torch::zeros({1, 4}, torch::kInt64), torch::ones({1, 5}, torch::kBool)), xwam::Error);
  TextConfig bad = builtin_config();
  bad.kind = "clip";
  EXPECT_THROW(TextEncoder(bad, 8), xwam::Error);
}

// ---- relative positions ------------------------------------------------------------------------

// Buckets by hand from t5.py's formula with 32 buckets, max distance 128: 16 per direction (key
// after query: +16); |n| < 8 exact; otherwise 8 + floor(log(|n|/8) / log(16) · 8) = 8 + floor(2·log2(|n|/8)),
// at most 15.
TEST(T5RelativePosition, BidirectionalBuckets) {
  const std::map<int64_t, int64_t> expected{
      {0, 0},    {-1, 1},    {1, 17},   {-7, 7},    {7, 23},    {-8, 8},    {8, 24},   {-12, 9},   // 2·log2(1.5) = 1.17
      {-20, 10}, {20, 26},   {-45, 12}, {-100, 15}, {-127, 15}, {-128, 15}, {500, 31}, {-90, 14},  // 2·log2(11.25) = 6.98
  };
  std::vector<int64_t> positions;
  for (const auto& kv : expected) positions.push_back(kv.first);
  auto buckets = t5_relative_position_bucket(torch::tensor(positions), 32);
  for (size_t i = 0; i < positions.size(); ++i)
    EXPECT_EQ(buckets[i].item<int64_t>(), expected.at(positions[i])) << "relative position " << positions[i];
}

// ---- umT5 --------------------------------------------------------------------------------------

TEST(Umt5Encoder, FullSizeParameterCount) {
  // umt5_xxl: vocab 256384, dim 4096, ffn 10240, 64 heads, 24 layers, 32 buckets →
  // 1,050,148,864 + 24 · 192,948,224 + 4,096 = 5,680,910,336 (the ~5.68e9 of the bf16 encoder file).
  const TextConfig full;  // the defaults are umT5-xxl
  EXPECT_EQ(umt5_parameters(full), 5680910336LL);
  EXPECT_NEAR(umt5_parameters(full) / 1e9, 5.68, 0.005);
}

TEST(Umt5Encoder, MissingTokenizerNamesTheFile) {
  try {
    TextEncoder(tiny_umt5_config("google/umt5-xxl/spiece.model"), 8, "/nonexistent/checkpoint");
    FAIL() << "expected xwam::Error";
  } catch (const xwam::Error& e) {
    EXPECT_EQ(e.file(), "/nonexistent/checkpoint/google/umt5-xxl/spiece.model");
  }
  EXPECT_THROW(TextEncoder(tiny_umt5_config(""), 8), xwam::Error);
}
