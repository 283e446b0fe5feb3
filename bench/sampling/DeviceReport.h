// What a benchmark reports about the device it ran on: its name and, on a CUDA device, the peak memory
// PyTorch's caching allocator handed out. Those statistics exist only in a CUDA LibTorch
// (XWAM_HAS_CUDA_TORCH); elsewhere a CUDA device is named "cuda:N" and has no peak.
#pragma once
#include <torch/torch.h>

#include <optional>
#include <string>

namespace xwam::bench {

struct PeakMemory {
  int64_t allocated_bytes = 0;  // held by tensors
  int64_t reserved_bytes = 0;   // taken from the driver by the caching allocator
};

// "cpu (16 threads)" or "cuda:0 (NVIDIA H200)".
std::string describe_device(const torch::Device& device);
// Waits for the work queued on a CUDA device (timers must not stop while kernels still run).
void synchronize(const torch::Device& device);
// Starts the peak over from what is allocated now; no-op off CUDA.
void reset_peak_memory(const torch::Device& device);
// The peak since the last reset; nullopt on the CPU or without a CUDA LibTorch.
std::optional<PeakMemory> peak_memory(const torch::Device& device);

}  // namespace xwam::bench
