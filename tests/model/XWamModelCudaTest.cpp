// The X-WAM network on a CUDA device computes what it computes on the CPU (tiny preset, float32), with
// and without the depth branch and the Fast-WAM mask. Skips where there is no CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/model/XWamModel.h"

using namespace xwam::model;

namespace {

ModelInputs random_inputs(const XWamConfig& c) {
  torch::manual_seed(11);
  const int64_t B = 2;
  ModelInputs in;
  in.video = torch::randn({B, c.views, c.dit.in_dim, c.latent_frames, c.latent_height, c.latent_width});
  in.states = torch::randn({B, c.num_states, c.state_dim});
  in.actions = torch::randn({B, c.num_actions, c.action_dim});
  in.t_video = torch::full({B}, 900.0);
  in.t_state = torch::full({B}, 700.0);
  in.t_action = torch::full({B}, 500.0);
  in.text = torch::randn({B, 5, c.dit.text_dim});
  return in;
}

ModelInputs to_device(ModelInputs in, const torch::Device& device) {
  for (torch::Tensor* t : {&in.video, &in.states, &in.actions, &in.t_video, &in.t_state, &in.t_action, &in.text})
    *t = t->to(device);
  return in;
}

// Close in the sense of float32 kernels that sum in another order (cuDNN may also use TF32).
void expect_close(const torch::Tensor& gpu, const torch::Tensor& cpu, const char* what) {
  ASSERT_TRUE(gpu.defined()) << what;
  EXPECT_TRUE(gpu.is_cuda()) << what << " left the GPU";
  const double scale = cpu.abs().max().item<double>() + 1e-6;
  const double diff = (gpu.cpu() - cpu).abs().max().item<double>();
  EXPECT_LT(diff / scale, 1e-2) << what << ": max |gpu − cpu| " << diff << " at scale " << scale;
}

}  // namespace

TEST(XWamModelCuda, ForwardMatchesTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (or a LibTorch without CUDA)";
  torch::manual_seed(3);
  XWamModel model(XWamConfig::preset("tiny"));
  model->eval();
  torch::NoGradGuard no_grad;
  for (bool fastwam : {false, true}) {
    SCOPED_TRACE(fastwam ? "fastwam mask" : "full attention");
    ModelInputs in = random_inputs(model->config);
    in.run_depth = true;
    in.fastwam_mask = fastwam;
    model->to(torch::kCPU);
    const ModelOutputs cpu = model->forward(in);
    model->to(torch::kCUDA);
    const ModelOutputs gpu = model->forward(to_device(in, torch::kCUDA));
    expect_close(gpu.video, cpu.video, "video");
    expect_close(gpu.states, cpu.states, "states");
    expect_close(gpu.actions, cpu.actions, "actions");
    expect_close(gpu.depth, cpu.depth, "depth");
  }
}
