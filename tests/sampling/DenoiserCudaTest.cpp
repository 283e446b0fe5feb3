// Action-first sampling with the X-WAM network on a CUDA device: the same seed gives the CPU's action
// chunk, and every token stays on the GPU. Skips where there is no CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/sampling/XWamNetwork.h"

using namespace xwam;
using namespace xwam::sampling;

namespace {

DenoiseResult run_on(const torch::Device& device) {
  torch::manual_seed(5);
  model::XWamModel net(model::XWamConfig::preset("tiny"));
  net->eval();
  net->to(device);
  const auto& c = net->config;
  Conditions cond;
  cond.video = torch::randn({1, c.views, c.dit.in_dim, 1, c.latent_height, c.latent_width}).to(device);
  cond.state = torch::randn({1, 1, c.state_dim}).to(device);
  cond.text = torch::randn({1, 4, c.dit.text_dim}).to(device);
  cond.empty_text = torch::zeros_like(cond.text);
  XWamNetwork network(net, cond);
  const auto plan = DenoisePlan::make({Mode::XWam, 4, 8, 5.0});
  return denoise(network, plan, network.start_noise(1, 7, true), SolverKind::UniPC, 1.0, {}, nullptr);
}

}  // namespace

TEST(DenoiserCuda, ActionFirstRunMatchesTheCpuAndStaysOnTheGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (or a LibTorch without CUDA)";
  const DenoiseResult cpu = run_on(torch::kCPU);
  const DenoiseResult gpu = run_on(torch::kCUDA);
  ASSERT_GE(gpu.action_ms, 0.0);
  EXPECT_EQ(gpu.network_calls, cpu.network_calls);
  for (const torch::Tensor* t : {&gpu.clean.video, &gpu.clean.state, &gpu.clean.action, &gpu.depth})
    EXPECT_TRUE(t->is_cuda());
  // Float32 kernels summing in another order: close, not equal.
  EXPECT_TRUE(torch::allclose(gpu.clean.action.cpu(), cpu.clean.action, 1e-2, 1e-2));
  EXPECT_TRUE(torch::allclose(gpu.clean.state.cpu(), cpu.clean.state, 1e-2, 1e-2));
  EXPECT_TRUE(torch::allclose(gpu.clean.video.cpu(), cpu.clean.video, 1e-2, 1e-2));
}
