// Two processes on loopback train exactly what one process trains on the same global batch.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "engine/core/Error.h"
#include "engine/train/DataParallel.h"

namespace fs = std::filesystem;

namespace {

std::vector<torch::Tensor> load(const std::string& path) {
  std::vector<torch::Tensor> t;
  torch::load(t, path);
  return t;
}

int run(const std::string& env, const std::string& out, int batch, int steps) {
  std::string cmd = env + " " + std::string(XWAM_DDP_PROBE) + " " + out + " " + std::to_string(batch) + " " +
                    std::to_string(steps);
  return std::system(cmd.c_str());
}

}  // namespace

TEST(DataParallel, TwoRanksOnLoopbackEqualOneRankWithTheSameGlobalBatch) {
  const auto dir = fs::temp_directory_path();
  const std::string single = (dir / ("ddp_single_" + std::to_string(::getpid()) + ".pt")).string();
  const std::string pair = (dir / ("ddp_pair_" + std::to_string(::getpid()) + ".pt")).string();
  ASSERT_EQ(run("RANK=0 WORLD_SIZE=1", single, 8, 20), 0);

  const int port = 20000 + ::getpid() % 20000;
  const std::string common = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port);
  int rc1 = -1;
  std::thread second([&] { rc1 = run("RANK=1 LOCAL_RANK=1 " + common, pair + ".unused", 8, 20); });
  int rc0 = run("RANK=0 LOCAL_RANK=0 " + common, pair, 8, 20);
  second.join();
  ASSERT_EQ(rc0, 0);
  ASSERT_EQ(rc1, 0);

  auto a = load(single), b = load(pair);
  ASSERT_EQ(a.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-6)) << "tensor " << i;
  // And training did something: the weights moved away from a fresh init.
  torch::manual_seed(1234);
  torch::nn::Linear fresh(8, 3);
  EXPECT_FALSE(torch::allclose(a[0], fresh->weight, 1e-2, 1e-2));
  fs::remove(single);
  fs::remove(pair);
}

TEST(DistributedEnv, ReadsTorchrunVariablesAndRejectsNonsense) {
  setenv("RANK", "1", 1);
  setenv("WORLD_SIZE", "4", 1);
  setenv("MASTER_PORT", "29999", 1);
  auto env = xwam::train::DistributedEnv::from_environment();
  EXPECT_EQ(env.rank, 1);
  EXPECT_EQ(env.world_size, 4);
  EXPECT_EQ(env.master_port, 29999);
  setenv("RANK", "4", 1);
  EXPECT_THROW(xwam::train::DistributedEnv::from_environment(), xwam::Error);
  setenv("RANK", "x", 1);
  EXPECT_THROW(xwam::train::DistributedEnv::from_environment(), xwam::Error);
  unsetenv("RANK");
  unsetenv("WORLD_SIZE");
  unsetenv("MASTER_PORT");
}
