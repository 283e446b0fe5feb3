// NaN/Inf scan of loaded weights: the exponent bits of each value, read in place at memory speed.
#include "engine/io/FiniteWeights.h"

#include <algorithm>
#include <cstdint>

#include "engine/core/Error.h"

namespace xwam::io {

namespace {
// Index of the first value whose exponent bits are all set (inf or NaN), or -1. Blocks of branch-free
// ORs let the compiler vectorise; the first bad block is searched value by value.
template <typename Bits>
int64_t first_non_finite(const Bits* values, int64_t n, Bits exponent) {
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    unsigned bad = 0;
    for (int64_t i = start; i < end; ++i) bad |= (values[i] & exponent) == exponent;
    if (!bad) continue;
    for (int64_t i = start; i < end; ++i)
      if ((values[i] & exponent) == exponent) return i;
  }
  return -1;
}

int64_t first_non_finite(const torch::Tensor& tensor) {
  // Weights on a device or in an unusual layout: LibTorch finds them, a copy of the mask at a time.
  if (!tensor.device().is_cpu() || !tensor.is_contiguous()) {
    const torch::Tensor bad = torch::isfinite(tensor.reshape({-1})).logical_not();
    return bad.any().item<bool>() ? bad.nonzero()[0][0].item<int64_t>() : -1;
  }
  const int64_t n = tensor.numel();
  switch (tensor.scalar_type()) {
    case torch::kFloat: return first_non_finite(static_cast<const uint32_t*>(tensor.data_ptr()), n, uint32_t{0x7f800000});
    case torch::kDouble:
      return first_non_finite(static_cast<const uint64_t*>(tensor.data_ptr()), n, uint64_t{0x7ff0000000000000});
    case torch::kBFloat16: return first_non_finite(static_cast<const uint16_t*>(tensor.data_ptr()), n, uint16_t{0x7f80});
    case torch::kHalf: return first_non_finite(static_cast<const uint16_t*>(tensor.data_ptr()), n, uint16_t{0x7c00});
    default: {
      const torch::Tensor bad = torch::isfinite(tensor.reshape({-1})).logical_not();
      return bad.any().item<bool>() ? bad.nonzero()[0][0].item<int64_t>() : -1;
    }
  }
}
}  // namespace

void check_finite_weights(const TensorMap& tensors, const std::string& origin) {
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined() || !tensor.is_floating_point()) continue;
    const int64_t at = first_non_finite(tensor);
    if (at >= 0)
      throw Error(origin, "tensor " + name, "holds a non-finite value (NaN or inf) at flat index " + std::to_string(at));
  }
}

}  // namespace xwam::io
