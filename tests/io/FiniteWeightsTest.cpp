// Weights holding NaN or inf are refused at load by tensor name, and nothing is loaded.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "engine/core/Error.h"
#include "engine/io/FiniteWeights.h"
#include "engine/io/Safetensors.h"

using namespace xwam;

TEST(FiniteWeights, LoadRefusesNonFiniteTensorsByNameAndLoadsNothing) {
  torch::nn::Linear layer(4, 3);
  const torch::Tensor before = layer->weight.detach().clone();
  io::TensorMap tensors = {{"weight", torch::ones({3, 4})}, {"bias", torch::zeros({3})}};
  tensors["weight"].view({-1})[7] = std::numeric_limits<float>::quiet_NaN();
  try {
    io::load_into(*layer, tensors, "ckpt/model.safetensors");
    FAIL() << "NaN weight loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "ckpt/model.safetensors");
    EXPECT_EQ(e.context(), "tensor weight");
    EXPECT_NE(std::string(e.what()).find("flat index 7"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(torch::equal(layer->weight, before));

  tensors["weight"] = torch::ones({3, 4}, torch::kBFloat16);
  tensors["bias"] = torch::zeros({3}, torch::kBFloat16);
  tensors["bias"][2] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(io::load_into(*layer, tensors, "ckpt"), Error);
  tensors["bias"][2] = 0.5f;
  io::load_into(*layer, tensors, "ckpt");
  EXPECT_FLOAT_EQ(layer->bias[2].item<float>(), 0.5f);
}

TEST(FiniteWeights, FindsTheIndexInEveryFloatTypeAndLayoutAndSkipsIntegers) {
  const int64_t n = (int64_t{1} << 20) + 10, bad_at = (int64_t{1} << 20) + 3;
  for (const auto dtype : {torch::kFloat32, torch::kFloat64, torch::kFloat16, torch::kBFloat16}) {
    io::TensorMap tensors = {{"big", torch::zeros({n}, dtype)}};
    tensors["big"][bad_at] = -std::numeric_limits<float>::infinity();
    try {
      io::check_finite_weights(tensors, "w.pt");
      FAIL() << "-inf accepted in " << dtype;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("flat index " + std::to_string(bad_at)), std::string::npos) << e.what();
    }
    // The largest finite values are not mistaken for inf.
    const double largest = dtype == torch::kFloat16    ? 65504.0
                           : dtype == torch::kBFloat16 ? 3.3895313892515355e38
                           : dtype == torch::kFloat32  ? double{std::numeric_limits<float>::max()}
                                                       : std::numeric_limits<double>::max();
    tensors["big"][bad_at] = largest;
    EXPECT_NO_THROW(io::check_finite_weights(tensors, "w.pt")) << dtype;
  }
  // A transposed (non-contiguous) tensor is scanned in its own order of values.
  io::TensorMap tensors = {{"t", torch::zeros({3, 4}).t()}, {"steps", torch::full({2}, 7, torch::kInt64)}};
  tensors["t"][1][2] = std::numeric_limits<float>::quiet_NaN();
  try {
    io::check_finite_weights(tensors, "w.pt");
    FAIL() << "NaN accepted in a transposed tensor";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("flat index 5"), std::string::npos) << e.what();
  }
  tensors.erase("t");
  EXPECT_NO_THROW(io::check_finite_weights(tensors, "w.pt"));
}
