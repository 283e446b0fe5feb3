// Instruction → embedding sequence [B, text_len, text_dim] for the DiT's cross-attention.
// `builtin` (tiny/demo): words lower-cased and hashed into a fixed vocabulary (no vocabulary file),
// a small transformer encoder trained with the model. `umt5-xxl` (5B preset): Wan2.2's umT5-xxl
// encoder (t5.py names: token_embedding, blocks.N.{norm1,attn,norm2,ffn,pos_embedding}, norm) with
// its SentencePiece tokenizer. Padding rows are kept (X-WAM) or zeroed (Wan2.2): TextConfig::context_padding.
//
//   TextEncoder text(config.text, config.dit.text_len);
//   auto e = text->encode({"pick up the red cube"});   // [1, text_len, text_dim]
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/model/ModelConfig.h"

namespace xwam::model {

class SentencePieceModel;

// T5's bidirectional relative position bucket of `relative_position` (key − query, int64, any shape):
// half the buckets for keys before-or-at the query, half after; within each half, distances below
// num_buckets/4 get their own bucket, larger ones share log-spaced buckets up to `max_distance`.
torch::Tensor t5_relative_position_bucket(const torch::Tensor& relative_position, int num_buckets,
                                          int max_distance = 128);

struct TextEncoderImpl : torch::nn::Module {
  // `tokenizer_dir` resolves TextConfig::tokenizer (umt5-xxl); throws xwam::Error naming the file
  // when the SentencePiece model is missing. Weights on `device` in `dtype`.
  TextEncoderImpl(const TextConfig& config, int text_len, const std::string& tokenizer_dir = "",
                  torch::Device device = torch::kCPU, torch::ScalarType dtype = torch::kFloat32);
  // Token ids [B, text_len] (int64) and the mask of real tokens [B, text_len] (bool).
  std::pair<torch::Tensor, torch::Tensor> tokenize(const std::vector<std::string>& texts) const;
  // Embeddings [B, text_len, dim] on the module's device; padded rows per TextConfig::context_padding.
  torch::Tensor encode(const std::vector<std::string>& texts);
  // The encoder on token ids: ids [B, L] int64 and mask [B, L] (nonzero = real token), L ≤ text_len
  // for `builtin` (its position table has text_len rows). Returns [B, L, dim], padded rows as encode().
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);

  TextConfig config;
  int text_len;

 private:
  torch::Tensor forward_builtin(const torch::Tensor& ids, const torch::Tensor& mask);
  torch::Tensor forward_umt5(const torch::Tensor& ids, const torch::Tensor& mask);

  torch::nn::Embedding token_embedding{nullptr};
  torch::Tensor pos_embedding;               // builtin: learnable absolute positions [text_len, dim]
  torch::nn::ModuleList blocks;
  std::shared_ptr<torch::nn::Module> norm;   // builtin: LayerNorm; umt5-xxl: RMS norm
  std::shared_ptr<const SentencePieceModel> spm;  // umt5-xxl only
};
TORCH_MODULE(TextEncoder);

// Parameters of the umt5-xxl encoder of `config` from its numbers alone (no allocation):
//   vocab·dim                                             token_embedding
// + layers·(2·dim + 4·dim² + 3·dim·ffn + buckets·heads)   norm1, norm2, q/k/v/o, gate/fc1/fc2, relative bias
// + dim                                                   final norm
int64_t umt5_parameters(const TextConfig& config);

}  // namespace xwam::model
