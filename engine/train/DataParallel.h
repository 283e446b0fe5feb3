// Distributed data parallel over LibTorch's c10d: every rank computes gradients on its share of the
// global batch, then they are averaged (allreduce) so all ranks take the same optimizer step.
// Configured by the torchrun convention, so `xwam train` runs under torchrun, srun or any launcher.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace xwam::train {

struct DistributedEnv {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;

  // Reads RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (falling back to Slurm's
  // SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID). Missing variables mean a single process.
  // Throws xwam::Error naming the variable when one is malformed.
  static DistributedEnv from_environment();
  bool distributed() const { return world_size > 1; }
};

// One process group for the whole run. Gloo over TCP (CPU tensors); with a CUDA build NCCL is used for
// CUDA tensors. Blocking calls; not thread-safe. A single-process instance does no communication.
class DataParallel {
 public:
  explicit DataParallel(const DistributedEnv& env);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }

  // Copies rank 0's values into every rank's tensors (start from identical weights).
  void broadcast(std::vector<torch::Tensor> tensors);
  // Replaces each gradient by its mean over ranks; undefined gradients count as zero.
  void average_gradients(const std::vector<torch::Tensor>& parameters);
  // Mean of a scalar over ranks (for logging losses).
  double average(double value);
  void barrier();

 private:
  DistributedEnv env_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::train
