// umT5-xxl instruction contexts kept on disk next to the checkpoint (<folder>/text-contexts/KEY.safetensors):
// encoding one instruction costs seconds on the host and 11 GB of weights, while a what-if session, an
// evaluation or a policy server repeats the same few instructions across runs and programs.
#pragma once
#include <torch/torch.h>

#include <optional>
#include <string>

#include "engine/model/ModelConfig.h"

namespace xwam::pipeline {

class TextContextCache {
 public:
  // `checkpoint_origin`: the loaded checkpoint, a directory or a weights file (the folder is the
  // directory, or the file's). The key covers the instruction, the text encoder's settings and the
  // weights file's size and time, so a retrained checkpoint never reads stale contexts.
  TextContextCache(const std::string& checkpoint_origin, const model::XWamConfig& config);
  // The stored context [1, text_len, text_dim] on the CPU; nullopt when absent, unreadable or of
  // another shape (it is then encoded anew and replaced).
  std::optional<torch::Tensor> load(const std::string& instruction) const;
  // Writes atomically; a folder that cannot be written (a read-only download) only loses the cache.
  void store(const std::string& instruction, const torch::Tensor& context) const;
  std::string path_for(const std::string& instruction) const;

 private:
  std::string folder_, identity_;
  std::vector<int64_t> shape_;
};

}  // namespace xwam::pipeline
