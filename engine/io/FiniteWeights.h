// Weights that hold NaN or ±inf make every output NaN; they are refused at load, by tensor name.
#pragma once
#include <string>

#include "engine/io/Safetensors.h"

namespace xwam::io {

// Throws xwam::Error(origin, "tensor <name>", ...) for the first floating-point tensor (in name order)
// holding a non-finite value, with the flat index of that value. CPU tensors are read once in place, at
// about memory speed (`xwam bench finite-weights`); integer and bool tensors are skipped.
void check_finite_weights(const TensorMap& tensors, const std::string& origin);

}  // namespace xwam::io
