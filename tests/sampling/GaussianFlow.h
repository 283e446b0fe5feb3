// A test double with a known answer: data x_0 ~ N(μ, s²) per element. The exact flow-matching
// velocity is affine in x, and the ODE maps noise z at σ = 1 to μ + s·z at σ = 0.
#pragma once
#include <torch/torch.h>

#include <cmath>

namespace xwam::testing {

struct GaussianFlow {
  double mu = 0.7, s = 0.5;

  // E[ε − x_0 | x_σ] for x_σ = (1 − σ)x_0 + σε.
  torch::Tensor velocity(const torch::Tensor& x, double sigma) const {
    const double var = (1 - sigma) * (1 - sigma) * s * s + sigma * sigma;
    return -mu + (sigma - (1 - sigma) * s * s) / var * (x - (1 - sigma) * mu);
  }
  // Exact solution at σ from the state at σ_start.
  torch::Tensor solution(const torch::Tensor& x_start, double sigma_start, double sigma) const {
    auto sd = [&](double sg) { return std::sqrt((1 - sg) * (1 - sg) * s * s + sg * sg); };
    const torch::Tensor z = (x_start - (1 - sigma_start) * mu) / sd(sigma_start);
    return (1 - sigma) * mu + sd(sigma) * z;
  }
};

}  // namespace xwam::testing
