// Gradient checkpointing of one network piece: its forward runs without keeping activations, and the
// backward pass runs it again with autograd to get the gradients (of its inputs and, through that
// inner backward, of its parameters). Trades one extra forward per block for the activation memory of
// every block — what lets the 5B network fine-tune on one GPU.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace xwam::model {

using TensorFn = std::function<std::vector<torch::Tensor>(const std::vector<torch::Tensor>&)>;

// `fn(inputs)` with checkpointing when grad mode is on, plainly otherwise. `fn` must be a pure
// function of `inputs` and of module parameters (no randomness: the blocks have no dropout).
std::vector<torch::Tensor> checkpointed(const TensorFn& fn, const std::vector<torch::Tensor>& inputs);

}  // namespace xwam::model
