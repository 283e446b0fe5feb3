// safetensors files (8-byte header length, JSON header, raw little-endian data), read through mmap
// without copying and written atomically; sharded checkpoints through their index.json.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace xwam::io {

// Tensors by name. Read tensors are views of the memory-mapped file (kept mapped while any lives);
// clone() one to own it.
using TensorMap = std::map<std::string, torch::Tensor>;

// Validates the header before touching data: JSON well formed, dtype known (F64, F32, F16, BF16,
// I64, I32, I16, I8, U8, BOOL), offsets inside the file, ordered and non-overlapping, size equal to
// shape × dtype. Throws xwam::Error naming the file and the tensor.
TensorMap read_safetensors(const std::string& path);
// Header only: name → (dtype, shape), for inspection without reading data.
std::map<std::string, std::pair<std::string, std::vector<int64_t>>> safetensors_header(const std::string& path);
// Writes tensors (contiguous CPU copies) in name order, with optional string metadata.
void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {});
// A sharded checkpoint: `index_path` is a *.safetensors.index.json with a weight_map name → shard file.
TensorMap read_sharded_safetensors(const std::string& index_path);

// Copies `tensors` into `module`'s parameters and buffers (converting dtype). Checks everything first
// and loads nothing when a tensor is missing, unexpected (unless allow_unexpected) or of another
// shape: the error lists them by name, e.g. "missing: blocks.3.ffn.0.weight; shape: head.head.weight
// [8, 48] vs [16, 48]".
// A tensor holding NaN or inf is refused by name too (check_finite_weights), before anything is loaded.
void load_into(torch::nn::Module& module, const TensorMap& tensors, const std::string& origin,
               bool allow_unexpected = false);
// The module's parameters and buffers as a TensorMap (for write_safetensors).
TensorMap state_of(const torch::nn::Module& module);

}  // namespace xwam::io
