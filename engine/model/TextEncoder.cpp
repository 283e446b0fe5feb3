// The instruction encoders: the hashed-word `builtin` encoder and Wan2.2's umT5-xxl encoder (t5.py's
// T5Encoder with per-layer relative position embeddings), with their tokenizers.
#include "engine/model/TextEncoder.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "engine/core/Error.h"
#include "engine/model/SentencePiece.h"
#include "engine/model/TextClean.h"

namespace xwam::model {

namespace {

constexpr int64_t kPadId = 0;
constexpr int64_t kEndId = 1;
constexpr int kMaxDistance = 128;  // t5.py T5RelativeEmbedding max_dist
constexpr double kPi = 3.14159265358979323846;

// ---- tokenizers --------------------------------------------------------------------------------

// FNV-1a 64-bit: a fixed hash, so word ids are the same on every machine and every run.
uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 14695981039109346037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Words of `text`: runs of ASCII letters/digits and non-ASCII bytes (so UTF-8 words stay whole),
// ASCII lower-cased; everything else separates words.
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (unsigned char c : text) {
    const bool ascii_alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (ascii_alnum || c >= 0x80) {
      word.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// ---- shared layers -----------------------------------------------------------------------------

// Multi-head attention over `x` with an additive bias [B|1, H|1, L, L] (padding and, for T5,
// relative positions). T5 does not scale the scores by 1/sqrt(head_dim); the builtin encoder does.
struct TextAttentionImpl : torch::nn::Module {
  TextAttentionImpl(int dim, int num_heads, bool with_bias, bool scaled)
      : num_heads(num_heads), scale(scaled ? 1.0 / std::sqrt(double(dim / num_heads)) : 1.0) {
    const auto linear = [&](const char* name) {
      return register_module(name, torch::nn::Linear(torch::nn::LinearOptions(dim, dim).bias(with_bias)));
    };
    q = linear("q");
    k = linear("k");
    v = linear("v");
    o = linear("o");
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias) {
    const int64_t b = x.size(0), l = x.size(1), c = x.size(2) / num_heads;
    const auto heads = [&](const torch::Tensor& t) { return t.view({b, l, num_heads, c}).transpose(1, 2); };
    auto scores = torch::matmul(heads(q(x)), heads(k(x)).transpose(-2, -1));
    if (scale != 1.0) scores = scores * scale;
    // Softmax in float32 whatever the weights' dtype (t5.py does the same).
    auto attn = torch::softmax((scores + bias).to(torch::kFloat32), -1).to(x.scalar_type());
    return o(torch::matmul(attn, heads(v(x))).transpose(1, 2).reshape({b, l, num_heads * c}));
  }

  int64_t num_heads;
  double scale;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
};
TORCH_MODULE(TextAttention);

// Additive key-padding bias [B, 1, 1, L]: 0 for real tokens, the dtype's lowest value for padding
// (t5.py fills with finfo(dtype).min rather than −inf).
torch::Tensor padding_bias(const torch::Tensor& mask, torch::ScalarType dtype) {
  auto bias = torch::zeros({mask.size(0), 1, 1, mask.size(1)}, torch::TensorOptions().dtype(dtype).device(mask.device()));
  const double lowest = dtype == torch::kFloat64 ? std::numeric_limits<double>::lowest()
                        : dtype == torch::kBFloat16 ? -3.3895313892515355e38
                        : dtype == torch::kFloat16  ? -65504.0
                                                    : double(std::numeric_limits<float>::lowest());
  return bias.masked_fill(mask.view({mask.size(0), 1, 1, -1}).logical_not(), lowest);
}

// ---- builtin -----------------------------------------------------------------------------------

// Pre-norm transformer block: self-attention with the padding bias, then a GELU FFN.
struct BuiltinBlockImpl : torch::nn::Module {
  BuiltinBlockImpl(int dim, int ffn_dim, int num_heads) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    attn = register_module("attn", TextAttention(dim, num_heads, /*with_bias=*/true, /*scaled=*/true));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    ffn = register_module("ffn", torch::nn::Sequential(torch::nn::Linear(dim, ffn_dim), torch::nn::GELU(),
                                                       torch::nn::Linear(ffn_dim, dim)));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& bias) {
    x = x + attn(norm1(x), bias);
    return x + ffn->forward(norm2(x));
  }
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  TextAttention attn{nullptr};
  torch::nn::Sequential ffn{nullptr};
};
TORCH_MODULE(BuiltinBlock);

// ---- umT5 (t5.py) ------------------------------------------------------------------------------

// T5LayerNorm: RMS norm without mean subtraction or bias; statistics in float32.
struct T5LayerNormImpl : torch::nn::Module {
  explicit T5LayerNormImpl(int dim) { weight = register_parameter("weight", torch::ones({dim})); }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = x * torch::rsqrt(x.to(torch::kFloat32).pow(2).mean(-1, /*keepdim=*/true) + 1e-6);
    if (weight.scalar_type() == torch::kFloat16 || weight.scalar_type() == torch::kBFloat16)
      y = y.to(weight.scalar_type());
    return weight * y;
  }
  torch::Tensor weight;
};
TORCH_MODULE(T5LayerNorm);

// t5.py's GELU: the tanh approximation.
torch::Tensor gelu_tanh(const torch::Tensor& x) {
  return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * torch::pow(x, 3.0))));
}

// Gated FFN: fc2(fc1(x) · gelu(gate(x))); `gate` is a Sequential so its weight is gate.0.weight.
struct T5FeedForwardImpl : torch::nn::Module {
  T5FeedForwardImpl(int dim, int ffn_dim) {
    const auto linear = [](int in, int out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false)); };
    gate = register_module("gate", torch::nn::Sequential(linear(dim, ffn_dim), torch::nn::Functional(gelu_tanh)));
    fc1 = register_module("fc1", linear(dim, ffn_dim));
    fc2 = register_module("fc2", linear(ffn_dim, dim));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(fc1(x) * gate->forward(x)); }
  torch::nn::Sequential gate{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(T5FeedForward);

// Per-head scalar bias from the bucketed relative position, [1, H, L, L].
struct T5RelativeEmbeddingImpl : torch::nn::Module {
  T5RelativeEmbeddingImpl(int num_buckets, int num_heads) : num_buckets(num_buckets) {
    embedding = register_module("embedding", torch::nn::Embedding(num_buckets, num_heads));
  }
  torch::Tensor forward(int64_t length) {
    const auto positions = torch::arange(length, torch::TensorOptions().dtype(torch::kInt64).device(embedding->weight.device()));
    const auto relative = positions.unsqueeze(0) - positions.unsqueeze(1);  // key − query
    return embedding(t5_relative_position_bucket(relative, num_buckets, kMaxDistance)).permute({2, 0, 1}).unsqueeze(0);
  }
  int num_buckets;
  torch::nn::Embedding embedding{nullptr};
};
TORCH_MODULE(T5RelativeEmbedding);

// t5.py T5SelfAttention with shared_pos=False: its own relative position embedding.
struct T5BlockImpl : torch::nn::Module {
  T5BlockImpl(const TextConfig& c) {
    norm1 = register_module("norm1", T5LayerNorm(c.dim));
    attn = register_module("attn", TextAttention(c.dim, c.num_heads, /*with_bias=*/false, /*scaled=*/false));
    norm2 = register_module("norm2", T5LayerNorm(c.dim));
    ffn = register_module("ffn", T5FeedForward(c.dim, c.ffn_dim));
    pos_embedding = register_module("pos_embedding", T5RelativeEmbedding(c.num_buckets, c.num_heads));
    // t5.py init_weights (the checkpoint replaces these; they keep a fresh model's activations sane).
    torch::NoGradGuard no_grad;
    const double d = c.dim, f = c.ffn_dim;
    attn->q->weight.normal_(0.0, 1.0 / d);  // (dim · dim_attn)^-0.5 with dim_attn = dim
    attn->k->weight.normal_(0.0, std::pow(d, -0.5));
    attn->v->weight.normal_(0.0, std::pow(d, -0.5));
    attn->o->weight.normal_(0.0, std::pow(double(c.num_heads) * d, -0.5));
    ffn->gate->ptr(0)->as<torch::nn::Linear>()->weight.normal_(0.0, std::pow(d, -0.5));
    ffn->fc1->weight.normal_(0.0, std::pow(d, -0.5));
    ffn->fc2->weight.normal_(0.0, std::pow(f, -0.5));
    pos_embedding->embedding->weight.normal_(0.0, std::pow(2.0 * c.num_buckets * c.num_heads, -0.5));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& padding) {
    const auto bias = pos_embedding(x.size(1)).to(x.scalar_type()) + padding;
    x = clamp_fp16(x + attn(norm1(x), bias));
    return clamp_fp16(x + ffn(norm2(x)));
  }
  // t5.py fp16_clamp: keep float16 activations finite.
  static torch::Tensor clamp_fp16(const torch::Tensor& x) {
    if (x.scalar_type() != torch::kFloat16 || !torch::isinf(x).any().item<bool>()) return x;
    return torch::clamp(x, -65504.0 + 1000.0, 65504.0 - 1000.0);
  }
  T5LayerNorm norm1{nullptr}, norm2{nullptr};
  TextAttention attn{nullptr};
  T5FeedForward ffn{nullptr};
  T5RelativeEmbedding pos_embedding{nullptr};
};
TORCH_MODULE(T5Block);

}  // namespace

torch::Tensor t5_relative_position_bucket(const torch::Tensor& relative_position, int num_buckets, int max_distance) {
  // Bidirectional: the upper half of the buckets for keys after the query.
  const int half = num_buckets / 2;
  auto buckets = relative_position.gt(0).to(torch::kInt64) * half;
  const auto distance = relative_position.abs();
  // Exact buckets below max_exact, log-spaced ones up to max_distance (same float32 ops as t5.py,
  // so the trained model sees the same buckets; the clamp only avoids log(0) in the unused branch).
  const int max_exact = half / 2;
  auto large = max_exact + (torch::log(distance.clamp_min(max_exact).to(torch::kFloat32) / double(max_exact)) /
                            std::log(double(max_distance) / max_exact) * double(half - max_exact))
                               .to(torch::kInt64);
  large = large.clamp_max(half - 1);
  return buckets + torch::where(distance < max_exact, distance, large);
}

TextEncoderImpl::TextEncoderImpl(const TextConfig& config_, int text_len_, const std::string& tokenizer_dir,
                                 torch::Device device, torch::ScalarType dtype)
    : config(config_), text_len(text_len_) {
  if (text_len < 1) throw Error("text encoder: text_len must be positive, got " + std::to_string(text_len));
  if (config.dim % config.num_heads != 0)
    throw Error("text encoder: text.dim " + std::to_string(config.dim) + " is not a multiple of text.num_heads " +
                std::to_string(config.num_heads));
  token_embedding = register_module("token_embedding", torch::nn::Embedding(config.vocab, config.dim));
  blocks = register_module("blocks", torch::nn::ModuleList());

  if (config.kind == "builtin") {
    if (config.vocab < 3) throw Error("text encoder: builtin text.vocab must be at least 3 (pad, end, one word)");
    {
      torch::NoGradGuard no_grad;
      token_embedding->weight.normal_(0.0, 0.02);
    }
    pos_embedding = register_parameter("pos_embedding", torch::randn({text_len, config.dim}) * 0.02);
    for (int i = 0; i < config.num_layers; ++i) blocks->push_back(BuiltinBlock(config.dim, config.ffn_dim, config.num_heads));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.dim})));
    to(device, dtype);
    return;
  }
  if (config.kind != "umt5-xxl") throw Error("text encoder: text.kind must be builtin or umt5-xxl, got '" + config.kind + "'");

  // Each block placed as it is built: umT5-xxl never exists whole in float32.
  for (int i = 0; i < config.num_layers; ++i) {
    T5Block block(config);
    block->to(device, dtype);
    blocks->push_back(block);
  }
  norm = register_module("norm", T5LayerNorm(config.dim));
  token_embedding->to(device, dtype);
  norm->to(device, dtype);

  // The SentencePiece model (google/umt5-xxl's spiece.model in Wan2.2's checkpoint folder).
  if (config.tokenizer.empty()) throw Error("text encoder: text.tokenizer (the SentencePiece model file) is empty");
  std::filesystem::path path(config.tokenizer);
  if (path.is_relative() && !tokenizer_dir.empty()) path = std::filesystem::path(tokenizer_dir) / path;
  if (!std::filesystem::is_regular_file(path)) throw Error(path.string(), "SentencePiece tokenizer model not found");
  spm = std::make_shared<const SentencePieceModel>(path.string());
  if (spm->size() > config.vocab)
    throw Error(path.string(), "tokenizer has " + std::to_string(spm->size()) + " pieces, more than text.vocab " +
                                   std::to_string(config.vocab));
  if (spm->eos_id() < 0) throw Error(path.string(), "SentencePiece model has no </s> piece");
}

std::pair<torch::Tensor, torch::Tensor> TextEncoderImpl::tokenize(const std::vector<std::string>& texts) const {
  const int64_t batch = static_cast<int64_t>(texts.size());
  auto ids = torch::full({batch, text_len}, spm && spm->pad_id() >= 0 ? int64_t(spm->pad_id()) : kPadId, torch::kInt64);
  auto mask = torch::zeros({batch, text_len}, torch::kBool);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<bool, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    // Pieces/words truncated to text_len − 1, then the end token (as HF's add_special_tokens does).
    std::vector<int64_t> tokens;
    if (spm) {
      const auto pieces = spm->encode(clean_instruction(texts[b]));
      tokens.assign(pieces.begin(), pieces.end());
    } else {
      for (const auto& word : split_words(texts[b]))
        tokens.push_back(2 + static_cast<int64_t>(fnv1a64(word) % uint64_t(config.vocab - 2)));
    }
    if (static_cast<int64_t>(tokens.size()) > text_len - 1) tokens.resize(text_len - 1);
    tokens.push_back(spm ? int64_t(spm->eos_id()) : kEndId);
    for (size_t i = 0; i < tokens.size(); ++i) {
      ids_a[b][i] = tokens[i];
      mask_a[b][i] = true;
    }
  }
  return {ids, mask};
}

torch::Tensor TextEncoderImpl::encode(const std::vector<std::string>& texts) {
  auto [ids, mask] = tokenize(texts);
  const auto device = token_embedding->weight.device();
  return forward(ids.to(device), mask.to(device));
}

torch::Tensor TextEncoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
  if (ids.dim() != 2 || ids.scalar_type() != torch::kInt64)
    throw Error("text encoder: ids must be [B, L] int64, got " + c10::str(ids.sizes()) + " " +
                c10::toString(ids.scalar_type()));
  if (!mask.defined() || mask.sizes() != ids.sizes())
    throw Error("text encoder: mask must have the shape of ids " + c10::str(ids.sizes()));
  const auto real = mask.to(torch::kBool);
  auto x = config.kind == "builtin" ? forward_builtin(ids, real) : forward_umt5(ids, real);
  // X-WAM keeps every row (its encoder's trimming is disabled, the DiT was fine-tuned on them);
  // Wan2.2 trims the padding and the DiT pads with zeros.
  if (config.keeps_padding_rows()) return x;
  return x * real.unsqueeze(-1).to(x.scalar_type());
}

torch::Tensor TextEncoderImpl::forward_builtin(const torch::Tensor& ids, const torch::Tensor& mask) {
  const int64_t length = ids.size(1);
  if (length > text_len)
    throw Error("text encoder: " + std::to_string(length) + " tokens, more than text_len " + std::to_string(text_len));
  auto x = token_embedding(ids) + pos_embedding.slice(0, 0, length);
  const auto bias = padding_bias(mask, x.scalar_type());
  for (const auto& block : *blocks) x = block->as<BuiltinBlock>()->forward(x, bias);
  return norm->as<torch::nn::LayerNorm>()->forward(x);
}

torch::Tensor TextEncoderImpl::forward_umt5(const torch::Tensor& ids, const torch::Tensor& mask) {
  auto x = token_embedding(ids);
  const auto bias = padding_bias(mask, x.scalar_type());
  for (const auto& block : *blocks) x = block->as<T5Block>()->forward(x, bias);
  return norm->as<T5LayerNorm>()->forward(x);
}

int64_t umt5_parameters(const TextConfig& c) {
  const int64_t d = c.dim, f = c.ffn_dim;
  return int64_t(c.vocab) * d + int64_t(c.num_layers) * (2 * d + 4 * d * d + 3 * d * f + int64_t(c.num_buckets) * c.num_heads) + d;
}

}  // namespace xwam::model
