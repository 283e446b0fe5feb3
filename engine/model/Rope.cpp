#include "engine/model/Rope.h"

namespace xwam::model {

Rope make_rope(const torch::Tensor& positions, int head_dim, double theta) {
  const int axis_dims[3] = {head_dim - 4 * (head_dim / 6), 2 * (head_dim / 6), 2 * (head_dim / 6)};
  std::vector<torch::Tensor> angles;
  auto pos = positions.to(torch::kFloat64);
  for (int a = 0; a < 3; ++a) {
    auto i = torch::arange(0, axis_dims[a], 2, torch::TensorOptions().dtype(torch::kFloat64).device(positions.device()));
    auto inv_freq = torch::pow(theta, -i / axis_dims[a]);
    angles.push_back(pos.select(1, a).unsqueeze(1) * inv_freq.unsqueeze(0));
  }
  auto all = torch::cat(angles, 1);
  return {torch::cos(all).to(torch::kFloat32), torch::sin(all).to(torch::kFloat32)};
}

torch::Tensor apply_rope(const torch::Tensor& x, const Rope& rope) {
  auto xf = x.to(torch::kFloat32);
  auto pairs = xf.reshape({x.size(0), x.size(1), x.size(2), -1, 2});
  auto x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1);
  auto c = rope.cos.unsqueeze(0).unsqueeze(2), s = rope.sin.unsqueeze(0).unsqueeze(2);  // [1, L, 1, D/2]
  auto out = torch::stack({x0 * c - x1 * s, x0 * s + x1 * c}, -1);
  return out.reshape(x.sizes()).to(x.scalar_type());
}

}  // namespace xwam::model
