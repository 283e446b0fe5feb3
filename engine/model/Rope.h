// 3D rotary position embedding of Wan2.2: head_dim d splits into d − 4·(d/6) dims rotating with the
// frame position and 2·(d/6) each with row and column (theta 10000). Positions may be fractional, so
// state and action tokens sit on the video's time axis at their true time.
#pragma once
#include <torch/torch.h>

namespace xwam::model {

struct Rope {
  torch::Tensor cos, sin;  // [L, head_dim / 2], float32
};

// positions [L, 3] (frame, row, col) in latent units.
Rope make_rope(const torch::Tensor& positions, int head_dim, double theta = 10000.0);
// x [B, L, H, D] → rotated pairs (x_2i, x_2i+1); computed in float32, returned in x's dtype.
torch::Tensor apply_rope(const torch::Tensor& x, const Rope& rope);

}  // namespace xwam::model
