// set_compute_threads: with OpenBLAS loaded (Debian's LibTorch) its pool takes the threads and
// LibTorch's runs one, so the two never oversubscribe the cores; otherwise LibTorch takes them.
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "engine/pipeline/api/Engine.h"

using namespace xwam;

TEST(ComputeThreads, OpenBlasOrLibTorchTakesTheThreadsNeverBoth) {
  using GetThreads = int (*)();
  const auto openblas = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  pipeline::set_compute_threads(3);
  EXPECT_EQ(pipeline::compute_threads(), 3);
  if (openblas) {
    EXPECT_EQ(openblas(), 3);
    EXPECT_EQ(at::get_num_threads(), 1);
  } else {
    EXPECT_EQ(at::get_num_threads(), 3);
  }
  // ≤ 0: one per core.
  pipeline::set_compute_threads(0);
  EXPECT_EQ(pipeline::compute_threads(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  pipeline::set_compute_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (openblas) EXPECT_EQ(openblas(), 1);
}
