// Errors of predicted action / state vectors against recorded ones: overall and per-dimension MSE.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xwam::geometry {

struct VectorErrors {
  double mse = 0;                   // mean over rows and the dimensions the mask keeps
  std::vector<double> mse_per_dim;  // `dim` values; NaN (not compared) for masked-out dimensions
  size_t rows = 0;
};

// `predicted` and `reference` hold rows·dim floats, row-major. `mask` holds `dim` bytes (1 = compare)
// or is nullptr (compare all). Units are those of the vectors (un-normalized state/action units).
VectorErrors vector_errors(const float* predicted, const float* reference, size_t rows, size_t dim,
                           const uint8_t* mask = nullptr);

}  // namespace xwam::geometry
