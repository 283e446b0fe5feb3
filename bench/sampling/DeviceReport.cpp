#include "bench/sampling/DeviceReport.h"

#include "engine/pipeline/api/Engine.h"

#ifdef XWAM_HAS_CUDA_TORCH
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace xwam::bench {

namespace {
// The device index, with "cuda" meaning the current device.
int cuda_index(const torch::Device& device) {
  if (device.has_index()) return device.index();
#ifdef XWAM_HAS_CUDA_TORCH
  int current = 0;
  cudaGetDevice(&current);
  return current;
#else
  return 0;
#endif
}
}  // namespace

std::string describe_device(const torch::Device& device) {
  if (!device.is_cuda()) return "cpu (" + std::to_string(pipeline::compute_threads()) + " threads)";
  const int index = cuda_index(device);
  std::string name = "cuda:" + std::to_string(index);
#ifdef XWAM_HAS_CUDA_TORCH
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, index) == cudaSuccess) name += std::string(" (") + prop.name + ")";
#endif
  return name;
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(cuda_index(device));
}

void reset_peak_memory(const torch::Device& device) {
#ifdef XWAM_HAS_CUDA_TORCH
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(cuda_index(device)));
#endif
}

std::optional<PeakMemory> peak_memory(const torch::Device& device) {
#ifdef XWAM_HAS_CUDA_TORCH
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(cuda_index(device)));
    // Entry 0 of each statistic is the aggregate over the small and large pools (StatType::AGGREGATE).
    return PeakMemory{stats.allocated_bytes[0].peak, stats.reserved_bytes[0].peak};
  }
#endif
  return std::nullopt;
}

}  // namespace xwam::bench
