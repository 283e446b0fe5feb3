// The CPU threads of LibTorch's kernels. Debian's LibTorch does its matrix products in OpenBLAS
// (pthreads build), which keeps its own pool beside LibTorch's OpenMP pool: with both at one thread
// per core, their spinning threads fight over the cores and a demo rollout on 2 cores took 4.6×
// longer (`xwam bench latency`). When that OpenBLAS is loaded, its pool gets the threads and
// LibTorch's pool runs one; a LibTorch with another BLAS (MKL in PyTorch's wheels) gets them itself.
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "engine/pipeline/api/Engine.h"

namespace xwam::pipeline {
namespace {
std::atomic<int> chosen{0};  // what set_compute_threads was given, once resolved
}  // namespace

void set_compute_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  chosen = threads;
  using SetThreads = void (*)(int);
  static const auto openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas) {
    openblas(threads);
    at::set_num_threads(1);
  } else {
    at::set_num_threads(threads);
  }
}

int compute_threads() {
  const int n = chosen.load();
  return n > 0 ? n : at::get_num_threads();
}

}  // namespace xwam::pipeline
