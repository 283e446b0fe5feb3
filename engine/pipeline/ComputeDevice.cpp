#include "engine/pipeline/ComputeDevice.h"

#include <torch/version.h>

#include "engine/core/Error.h"
#include "engine/model/MemoryPlan.h"

namespace xwam::pipeline {

torch::Device parse_device(const std::string& name, const std::string& option) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) != 0) throw Error(option, "'" + name + "' is not a device (cpu, cuda or cuda:N)");
  int index = 0;
  if (name.size() > 4) {
    if (name[4] != ':' || name.size() == 5 || name.find_first_not_of("0123456789", 5) != std::string::npos)
      throw Error(option, "'" + name + "' is not a device (cpu, cuda or cuda:N)");
    index = std::stoi(name.substr(5));
  }
  if (!torch::cuda::is_available())
    throw Error(option, "'" + name + "' asked for, but no CUDA GPU is usable here (LibTorch " + TORCH_VERSION +
                            "; a CPU-only LibTorch such as Debian's never sees one: see the README's GPU build)");
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (index >= count)
    throw Error(option, "'" + name + "' asked for, but this machine has " + std::to_string(count) + " CUDA GPU" +
                            (count == 1 ? "" : "s") + " (cuda:0" + (count > 1 ? "..cuda:" + std::to_string(count - 1) : "") + ")");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

torch::ScalarType default_dtype(const torch::Device& device) {
  return device.is_cuda() ? torch::kBFloat16 : torch::kFloat32;
}

torch::ScalarType parse_dtype(const std::string& name, const torch::Device& device, const std::string& option) {
  if (name.empty()) return default_dtype(device);
  torch::ScalarType dtype;
  try {
    dtype = model::dtype_from_string(name);
  } catch (const Error&) {
    throw Error(option, "'" + name + "' is not a dtype (bfloat16, float16 or float32)");
  }
  if (dtype == torch::kFloat16 && !device.is_cuda())
    throw Error(option, "float16 needs a CUDA device (LibTorch's CPU kernels lack float16 convolutions and matrix "
                        "products); use bfloat16 or float32 on the CPU");
  return dtype;
}

std::vector<std::string> available_devices() {
  std::vector<std::string> names{"cpu"};
  if (torch::cuda::is_available())
    for (size_t i = 0; i < torch::cuda::device_count(); ++i) names.push_back("cuda:" + std::to_string(i));
  return names;
}

}  // namespace xwam::pipeline
