// The instruction encoders: the builtin hashed-word encoder (tokens, shapes, zero padding, training)
// and the umT5 encoder (t5.py layout and parameter count, mask, relative buckets, SentencePiece
// encodings equal to libsentencepiece's).
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <iterator>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/model/SentencePiece.h"
#include "engine/model/TextEncoder.h"
#include "tests/model/ParameterFormula.h"
#include "tests/model/ReleasedReference.h"

using namespace xwam::model;
namespace fs = std::filesystem;

namespace {

TextConfig builtin_config(int vocab = 256, int dim = 16) { return {"builtin", vocab, dim, 2 * dim, 2, 1, 32, ""}; }

// umT5 at a tiny width: dim 16, ffn 32, 2 heads, 2 layers, vocab 100, 32 buckets.
TextConfig tiny_umt5_config(const std::string& tokenizer) { return {"umt5-xxl", 100, 16, 32, 2, 2, 32, tokenizer}; }

// Instructions the SentencePiece reader must encode exactly as libsentencepiece: extra and odd
// whitespace, NFKC (full-width letters, ligature), accents, characters outside the vocabulary,
// a malformed UTF-8 byte, nothing at all.
const std::vector<std::string> kSpmInputs{
    "pick up the red cube",
    "  pick\tup   the red \xe3\x80\x80 cube ",
    "\xef\xbc\xb0\xef\xbc\xa9\xef\xbc\xa3\xef\xbc\xab up the cube",
    "the \xef\xac\x81ne cloth",
    "caf\xc3\xa9 au lait",
    "\xe6\x97\xa5\xe6\x9c\xac robot \xe2\x98\x83\xe2\x98\x83 arm",
    "x\xff y",
    "",
    "   ",
    "Place it in the BOWL, then wipe the table from right to left!!",
};

// Two tiny SentencePiece models with T5's special ids (pad 0, </s> 1, unk 2) trained by
// libsentencepiece in a helper process, with that library's encodings of kSpmInputs.
class Umt5Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("xwam_text_encoder_test_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    std::ofstream inputs(*dir_ / "inputs.txt");
    for (const auto& input : kSpmInputs) inputs << input << '\n';
    inputs.close();
    const std::string command = std::string(XWAM_SPM_REFERENCE) + " " + dir_->string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::vector<std::vector<int>> reference_ids(const std::string& model) {
    std::vector<std::vector<int>> rows;
    std::ifstream in(*dir_ / (model + ".ids"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream ids(line);
      rows.emplace_back(std::istream_iterator<int>(ids), std::istream_iterator<int>());
    }
    return rows;
  }
  static TextEncoder make(int text_len = 12) {
    torch::manual_seed(5);
    return TextEncoder(tiny_umt5_config("plain.model"), text_len, dir_->string());
  }
  static fs::path* dir_;
};
fs::path* Umt5Test::dir_ = nullptr;

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

TEST_F(Umt5Test, ParameterNamesAndShapesFollowT5Py) {
  auto text = make();
  std::map<std::string, std::vector<int64_t>> expected{{"token_embedding.weight", {100, 16}}, {"norm.weight", {16}}};
  for (int i = 0; i < 2; ++i) {
    const std::string b = "blocks." + std::to_string(i) + ".";
    expected[b + "norm1.weight"] = {16};
    expected[b + "attn.q.weight"] = {16, 16};
    expected[b + "attn.k.weight"] = {16, 16};
    expected[b + "attn.v.weight"] = {16, 16};
    expected[b + "attn.o.weight"] = {16, 16};
    expected[b + "norm2.weight"] = {16};
    expected[b + "ffn.gate.0.weight"] = {32, 16};
    expected[b + "ffn.fc1.weight"] = {32, 16};
    expected[b + "ffn.fc2.weight"] = {16, 32};
    expected[b + "pos_embedding.embedding.weight"] = {32, 2};
  }
  std::map<std::string, std::vector<int64_t>> actual;
  int64_t total = 0;
  for (const auto& p : text->named_parameters()) {
    actual[p.key()] = p.value().sizes().vec();
    total += p.value().numel();
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(text->named_buffers().size(), 0u) << "the checkpoint has no buffers";
  EXPECT_EQ(total, test::umt5_encoder(text->config));
  EXPECT_EQ(total, umt5_parameters(text->config));
}

TEST(Umt5Encoder, FullSizeParameterCount) {
  // umt5_xxl: vocab 256384, dim 4096, ffn 10240, 64 heads, 24 layers, 32 buckets →
  // 1,050,148,864 + 24 · 192,948,224 + 4,096 = 5,680,910,336 (the ~5.68e9 of the bf16 encoder file).
  const TextConfig full;  // the defaults are umT5-xxl
  EXPECT_EQ(test::umt5_encoder(full), 5680910336LL);
  EXPECT_EQ(umt5_parameters(full), 5680910336LL);
  EXPECT_NEAR(umt5_parameters(full) / 1e9, 5.68, 0.005);
}

TEST_F(Umt5Test, PaddingDoesNotChangeRealTokens) {
  auto text = make(16);
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor({{7, 23, 41, 5, 1}}, torch::kInt64);
  auto short_out = text->forward(ids, torch::ones({1, 5}, torch::kBool));
  // The same tokens inside a longer row with random ids in the padding.
  auto long_ids = torch::randint(3, 100, {1, 16}, torch::kInt64);
  long_ids.slice(1, 0, 5).copy_(ids);
  auto long_mask = torch::zeros({1, 16}, torch::kBool);
  long_mask.slice(1, 0, 5).fill_(true);
  auto long_out = text->forward(long_ids, long_mask);
  EXPECT_TRUE(torch::allclose(long_out.slice(1, 0, 5), short_out, 1e-5, 1e-6));
  // X-WAM keeps the padding rows (encoded under the mask), Wan2.2 zeroes them.
  EXPECT_GT(long_out.slice(1, 5, 16).abs().min().item<float>(), 0.0f);
  auto zeroing_config = text->config;
  zeroing_config.context_padding = "zero";
  TextEncoder zeroing(zeroing_config, 16, dir_->string());
  for (auto& p : zeroing->named_parameters()) p.value().copy_(text->named_parameters()[p.key()]);
  EXPECT_TRUE(torch::equal(zeroing->forward(long_ids, long_mask).slice(1, 5, 16), torch::zeros({1, 11, 16})));
  EXPECT_FALSE(torch::allclose(text->forward(long_ids, torch::ones_like(long_mask)).slice(1, 0, 5), short_out, 1e-4, 1e-5));
}

// One forward written out from t5.py with the named parameters: unscaled attention scores plus the
// relative bias, RMS norms, fc2(fc1(x) · gelu_tanh(gate(x))).
TEST_F(Umt5Test, ForwardMatchesT5PyMath) {
  auto text = make(6);
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : text->named_parameters()) w[p.key()] = p.value();
  auto ids = torch::tensor({{11, 4, 57, 1, 0, 0}}, torch::kInt64);
  auto mask = torch::tensor({{1, 1, 1, 1, 0, 0}}, torch::kBool);
  const auto rms = [](const torch::Tensor& x, const torch::Tensor& g) {
    return g * x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6);
  };
  const auto gelu = [](const torch::Tensor& x) {
    return 0.5 * x * (1 + torch::tanh(std::sqrt(2 / std::acos(-1.0)) * (x + 0.044715 * x.pow(3))));
  };
  const int64_t L = 6, H = 2, C = 8;
  auto rel = torch::arange(L).unsqueeze(0) - torch::arange(L).unsqueeze(1);
  auto x = w["token_embedding.weight"].index_select(0, ids[0]).unsqueeze(0);
  for (int i = 0; i < 2; ++i) {
    const std::string b = "blocks." + std::to_string(i) + ".";
    auto h = rms(x, w[b + "norm1.weight"]);
    auto q = torch::matmul(h, w[b + "attn.q.weight"].t()).view({1, L, H, C});
    auto k = torch::matmul(h, w[b + "attn.k.weight"].t()).view({1, L, H, C});
    auto v = torch::matmul(h, w[b + "attn.v.weight"].t()).view({1, L, H, C});
    auto bias = w[b + "pos_embedding.embedding.weight"].index({t5_relative_position_bucket(rel, 32)}).permute({2, 0, 1}).unsqueeze(0);
    bias = bias.masked_fill(mask.view({1, 1, 1, L}).logical_not(), std::numeric_limits<float>::lowest());
    auto attn = torch::softmax(torch::einsum("binc,bjnc->bnij", {q, k}) + bias, -1);
    auto o = torch::einsum("bnij,bjnc->binc", {attn, v}).reshape({1, L, H * C});
    x = x + torch::matmul(o, w[b + "attn.o.weight"].t());
    h = rms(x, w[b + "norm2.weight"]);
    auto gated = torch::matmul(h, w[b + "ffn.fc1.weight"].t()) * gelu(torch::matmul(h, w[b + "ffn.gate.0.weight"].t()));
    x = x + torch::matmul(gated, w[b + "ffn.fc2.weight"].t());
  }
  auto expected = rms(x, w["norm.weight"]);  // every row, padding included (X-WAM)
  EXPECT_TRUE(torch::allclose(text->forward(ids, mask), expected, 1e-5, 1e-6));
}

TEST_F(Umt5Test, SentencePieceTokenizer) {
  auto text = make(12);
  auto [ids, mask] = text->tokenize({"pick up the red cube", "  pick\tup   the red\n cube ", ""});
  const int64_t n = mask[0].sum().item<int64_t>();
  ASSERT_GE(n, 3);
  EXPECT_EQ(ids[0][n - 1].item<int64_t>(), 1) << "</s> ends the instruction";
  EXPECT_TRUE(torch::equal(ids[0].slice(0, n), torch::zeros({12 - n}, torch::kInt64))) << "padding is id 0";
  EXPECT_TRUE(torch::equal(ids[1], ids[0])) << "whitespace is normalised";
  EXPECT_TRUE(torch::equal(mask[1], mask[0]));
  EXPECT_EQ(mask[2].sum().item<int64_t>(), 1);
  // Truncation keeps text_len − 1 pieces and the end token.
  auto [long_ids, long_mask] = text->tokenize({"pick up the red cube and place it in the bowl then wipe the table"});
  EXPECT_TRUE(long_mask.all().item<bool>());
  EXPECT_EQ(long_ids[0][11].item<int64_t>(), 1);
  EXPECT_TRUE(torch::equal(long_ids[0].slice(0, 0, n - 1), ids[0].slice(0, 0, n - 1)));
  // And the whole path: [B, text_len, dim], the padding rows encoded too.
  auto e = text->encode({"pick up the red cube"});
  EXPECT_EQ(e.sizes(), torch::IntArrayRef({1, 12, 16}));
  EXPECT_TRUE(torch::allclose(e, text->forward(ids.slice(0, 0, 1), mask.slice(0, 0, 1))));
}

// Instructions are cleaned as the released tokenizer does (ftfy, HTML unescaped twice, whitespace)
// before SentencePiece sees them.
TEST_F(Umt5Test, TokenizerCleansInstructionsAsTheReleasedOne) {
  auto text = make(16);
  const auto plain = text->tokenize({"put the cup & the plate in the bowl"}).first;
  EXPECT_TRUE(torch::equal(text->tokenize({"put the cup &amp;amp; the plate\tin the bowl "}).first, plain));
  EXPECT_TRUE(torch::equal(text->tokenize({"put the cup &#38; the plate in the bowl"}).first, plain));
  EXPECT_FALSE(torch::equal(text->tokenize({"put the cup and the plate in the bowl"}).first, plain));
}

// The released umT5 encoder (t5.py's T5Encoder via tests/model/xwam_golden.py, hashed weights) on a
// padded batch: all rows, padding included, as X-WAM's encoder returns them.
TEST_F(Umt5Test, ContextMatchesTheReleasedEncoderWithItsPaddingRows) {
  auto text = make(12);
  xwam::test::hashed_weights(*text);
  torch::NoGradGuard no_grad;
  const auto ids = xwam::test::reference("umt5.in.ids");
  const auto mask = xwam::test::reference("umt5.in.mask");
  const auto released = xwam::test::reference("umt5.out.context");
  const auto ours = text->forward(ids, mask);
  ASSERT_EQ(ours.sizes(), released.sizes());
  EXPECT_LE(xwam::test::max_relative_error(ours, released), 1e-5);
}

TEST_F(Umt5Test, SentencePieceMatchesLibSentencePiece) {
  for (const std::string model : {"plain", "bytes"}) {
    SentencePieceModel spm((*dir_ / (model + ".model")).string());
    const auto expected = reference_ids(model);
    ASSERT_EQ(expected.size(), kSpmInputs.size()) << model;
    for (size_t i = 0; i < kSpmInputs.size(); ++i)
      EXPECT_EQ(spm.encode(kSpmInputs[i]), expected[i]) << model << " input " << i << ": '" << kSpmInputs[i] << "'";
    EXPECT_EQ(spm.eos_id(), 1);
    EXPECT_EQ(spm.pad_id(), 0);
    EXPECT_EQ(spm.unk_id(), 2);
  }
}

TEST(Umt5Encoder, MissingTokenizerNamesTheFile) {
  try {
    TextEncoder(tiny_umt5_config("google/umt5-xxl/spiece.model"), 8, "/nonexistent/checkpoint");
    FAIL() << "expected xwam::Error";
  } catch (const xwam::Error& e) {
    EXPECT_EQ(e.file(), "/nonexistent/checkpoint/google/umt5-xxl/spiece.model");
  }
  EXPECT_THROW(TextEncoder(tiny_umt5_config(""), 8), xwam::Error);
  // Not a SentencePiece model: the error names the file too.
  const auto bogus = fs::temp_directory_path() / ("xwam_not_spm_" + std::to_string(::getpid()) + ".model");
  std::ofstream(bogus) << "\xff\xff\xff not a protobuf";
  try {
    SentencePieceModel spm(bogus.string());
    FAIL() << "expected xwam::Error";
  } catch (const xwam::Error& e) {
    EXPECT_EQ(e.file(), bogus.string());
  }
  fs::remove(bogus);
}
