// Masked mean squared error of vector sequences.
#include "engine/geometry/VectorMetrics.h"

#include <limits>

namespace xwam::geometry {

VectorErrors vector_errors(const float* predicted, const float* reference, size_t rows, size_t dim,
                           const uint8_t* mask) {
  VectorErrors e;
  e.rows = rows;
  e.mse_per_dim.assign(dim, std::numeric_limits<double>::quiet_NaN());
  if (rows == 0) return e;
  size_t kept = 0;
  double total = 0;
  for (size_t d = 0; d < dim; ++d) {
    if (mask && !mask[d]) continue;
    double s = 0;
    for (size_t r = 0; r < rows; ++r) {
      const double diff = static_cast<double>(predicted[r * dim + d]) - reference[r * dim + d];
      s += diff * diff;
    }
    e.mse_per_dim[d] = s / static_cast<double>(rows);
    total += s;
    ++kept;
  }
  e.mse = kept ? total / static_cast<double>(rows * kept) : 0.0;
  return e;
}

}  // namespace xwam::geometry
