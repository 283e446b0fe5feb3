// The device and weight precision a user picks (CLI --device / --dtype, the studio's device selector),
// checked against this machine before anything is loaded.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace xwam::pipeline {

// "cpu", "cuda" or "cuda:N". Throws xwam::Error naming `option` when the name is malformed, when CUDA
// is asked for on a machine without a usable GPU or with a LibTorch built without CUDA, or when N is
// not one of the GPUs.
torch::Device parse_device(const std::string& name, const std::string& option = "--device");
// The weight precision of a device unless the user says otherwise: bfloat16 on CUDA, float32 on CPU.
torch::ScalarType default_dtype(const torch::Device& device);
// "bfloat16" | "float16" | "float32" on `device`; "" = default_dtype. Throws xwam::Error naming
// `option` for another name, and for float16 on the CPU (LibTorch has no CPU float16 kernels for it).
torch::ScalarType parse_dtype(const std::string& name, const torch::Device& device, const std::string& option = "--dtype");
// "cpu" followed by "cuda:0", "cuda:1", ... for each GPU LibTorch sees.
std::vector<std::string> available_devices();

}  // namespace xwam::pipeline
