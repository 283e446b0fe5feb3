// A tiny data-parallel training run for the DataParallel test: fits a linear map with SGD on a fixed
// synthetic dataset; each rank takes its slice of every global batch. Writes the final weights.
//   xwam_ddp_probe OUT.pt GLOBAL_BATCH STEPS     (rank/world from the torchrun variables)
#include <torch/torch.h>

#include <cstdlib>
#include <iostream>

#include "engine/train/DataParallel.h"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string out = argv[1];
  const int global_batch = std::atoi(argv[2]), steps = std::atoi(argv[3]);
  try {
    auto env = xwam::train::DistributedEnv::from_environment();
    xwam::train::DataParallel dp(env);
    torch::manual_seed(1234 + env.rank);  // different init per rank: broadcast must fix it
    torch::nn::Linear model(8, 3);
    dp.broadcast({model->weight, model->bias});
    torch::optim::SGD opt(model->parameters(), 0.1);

    auto gen = at::detail::createCPUGenerator(7);
    auto x_all = at::randn({steps * global_batch, 8}, gen, torch::kFloat32);
    auto w_true = at::randn({3, 8}, gen, torch::kFloat32);
    auto y_all = x_all.matmul(w_true.t());
    const int local = global_batch / dp.world_size();
    for (int s = 0; s < steps; ++s) {
      const int64_t begin = static_cast<int64_t>(s) * global_batch + static_cast<int64_t>(dp.rank()) * local;
      auto x = x_all.slice(0, begin, begin + local), y = y_all.slice(0, begin, begin + local);
      opt.zero_grad();
      auto loss = torch::mse_loss(model->forward(x), y);
      loss.backward();
      dp.average_gradients(model->parameters());
      opt.step();
    }
    if (dp.is_main()) torch::save(std::vector<torch::Tensor>{model->weight.detach(), model->bias.detach()}, out);
    dp.barrier();
  } catch (const std::exception& e) {
    std::cerr << "probe: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
