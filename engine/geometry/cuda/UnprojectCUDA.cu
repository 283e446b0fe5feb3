// CUDA unprojection of one depth view (XWAM_CUDA builds): flag valid pixels, prefix-sum them into
// output slots, write points/colours in the same order as the CPU path (row-major over sampled pixels).
#include <cub/device/device_scan.cuh>
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/geometry/DepthFusion.h"

namespace xwam::geometry {

namespace {
void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw Error(std::string("CUDA ") + what + ": " + cudaGetErrorString(status));
}

// Device buffer that frees itself.
template <typename T>
struct DeviceArray {
  T* ptr = nullptr;
  explicit DeviceArray(size_t n) { check(cudaMalloc(&ptr, n * sizeof(T) + 1), "malloc"); }
  ~DeviceArray() { cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

struct Params {
  int width, height, stride, cols, rows;  // image size, stride, sampled grid size
  float fx, fy, cx, cy, zmin, zmax;
  float R[9], t[3];  // camera-to-world rotation (row-major) and translation
};

__device__ bool valid_depth(float z, const Params& p) { return z > 0.0f && z >= p.zmin && z <= p.zmax; }

__global__ void flag_valid(const float* depth, Params p, unsigned* flags) {
  const int s = blockIdx.x * blockDim.x + threadIdx.x;
  if (s >= p.cols * p.rows) return;
  const int i = (s % p.cols) * p.stride, j = (s / p.cols) * p.stride;
  flags[s] = valid_depth(depth[j * p.width + i], p) ? 1u : 0u;
}

__global__ void write_points(const float* depth, const unsigned char* rgb, Params p, const unsigned* slots,
                             float* xyz, unsigned char* colours) {
  const int s = blockIdx.x * blockDim.x + threadIdx.x;
  if (s >= p.cols * p.rows) return;
  const int i = (s % p.cols) * p.stride, j = (s / p.cols) * p.stride;
  const int px = j * p.width + i;
  const float z = depth[px];
  if (!valid_depth(z, p)) return;
  // Same arithmetic as the CPU path: z·(R·[xf, yf, 1]) + t with pixel centres at integers (OpenCV).
  const float xf = static_cast<float>((i - p.cx) / p.fx), yf = static_cast<float>((j - p.cy) / p.fy);
  const unsigned n = slots[s];
  for (int r = 0; r < 3; ++r) {
    const float b = p.R[3 * r + 1] * yf + p.R[3 * r + 2];
    xyz[3 * n + r] = z * (p.R[3 * r] * xf + b) + p.t[r];
    colours[3 * n + r] = rgb ? rgb[3 * px + r] : 128;
  }
}
}  // namespace

bool cuda_device_available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

void unproject_view_cuda(const DepthView& view, uint8_t view_index, const FusionOptions& options, CloudFrame& out) {
  const CameraModel& cam = view.camera;
  if (!view.depth_m) throw Error("", "camera " + cam.name, "no depth for this frame");
  if (!cuda_device_available()) throw Error("no CUDA device for the CUDA unprojection");
  Params p{};
  p.width = cam.width, p.height = cam.height, p.stride = options.stride < 1 ? 1 : options.stride;
  p.cols = (cam.width + p.stride - 1) / p.stride, p.rows = (cam.height + p.stride - 1) / p.stride;
  p.fx = static_cast<float>(cam.fx), p.fy = static_cast<float>(cam.fy);
  p.cx = static_cast<float>(cam.cx), p.cy = static_cast<float>(cam.cy);
  p.zmin = options.min_depth_m, p.zmax = options.max_depth_m;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) p.R[3 * r + c] = static_cast<float>(cam.T_world_cam(r, c));
    p.t[r] = static_cast<float>(cam.T_world_cam(r, 3));
  }
  const size_t pixels = static_cast<size_t>(cam.width) * cam.height, samples = static_cast<size_t>(p.cols) * p.rows;

  DeviceArray<float> depth(pixels);
  DeviceArray<unsigned char> rgb(3 * pixels);
  DeviceArray<unsigned> flags(samples + 1), slots(samples + 1);
  check(cudaMemcpy(depth.ptr, view.depth_m, pixels * sizeof(float), cudaMemcpyHostToDevice), "copy depth");
  if (view.rgb) check(cudaMemcpy(rgb.ptr, view.rgb, 3 * pixels, cudaMemcpyHostToDevice), "copy rgb");

  const int threads = 256, blocks = static_cast<int>((samples + threads - 1) / threads);
  flag_valid<<<blocks, threads>>>(depth.ptr, p, flags.ptr);
  check(cudaGetLastError(), "flag kernel");
  // Exclusive sum over samples + 1 entries (last flag 0) gives every valid sample its slot and the total.
  check(cudaMemset(flags.ptr + samples, 0, sizeof(unsigned)), "memset");
  size_t scratch_bytes = 0;
  check(cub::DeviceScan::ExclusiveSum(nullptr, scratch_bytes, flags.ptr, slots.ptr, static_cast<int>(samples + 1)), "scan size");
  DeviceArray<unsigned char> scratch(scratch_bytes);
  check(cub::DeviceScan::ExclusiveSum(scratch.ptr, scratch_bytes, flags.ptr, slots.ptr, static_cast<int>(samples + 1)), "scan");
  unsigned count = 0;
  check(cudaMemcpy(&count, slots.ptr + samples, sizeof(unsigned), cudaMemcpyDeviceToHost), "copy count");

  DeviceArray<float> xyz(3 * static_cast<size_t>(count));
  DeviceArray<unsigned char> colours(3 * static_cast<size_t>(count));
  write_points<<<blocks, threads>>>(depth.ptr, view.rgb ? rgb.ptr : nullptr, p, slots.ptr, xyz.ptr, colours.ptr);
  check(cudaGetLastError(), "write kernel");

  const size_t start = out.size();
  out.xyz.resize(3 * (start + count));
  out.rgb.resize(3 * (start + count));
  out.view.resize(start + count, view_index);
  check(cudaMemcpy(out.xyz.data() + 3 * start, xyz.ptr, 3 * sizeof(float) * count, cudaMemcpyDeviceToHost), "copy points");
  check(cudaMemcpy(out.rgb.data() + 3 * start, colours.ptr, 3 * static_cast<size_t>(count), cudaMemcpyDeviceToHost), "copy colours");
}

}  // namespace xwam::geometry
