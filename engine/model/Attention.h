// Scaled dot-product attention with an optional boolean mask; fused on LibTorch 2.x, explicit on 1.13.
#pragma once
#include <torch/torch.h>

namespace xwam::model {

// q [B, H, Lq, D], k/v [B, H, Lk, D]; mask [Lq, Lk] bool (true = may attend) or undefined.
// Softmax in float32 whatever the input dtype; returns [B, H, Lq, D] in q's dtype.
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask);
// The explicit path, always available (tests compare the two).
torch::Tensor attention_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  const torch::Tensor& mask);

}  // namespace xwam::model
