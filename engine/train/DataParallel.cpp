#include "engine/train/DataParallel.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>

#include "engine/core/Error.h"

namespace xwam::train {
namespace {

int env_int(const char* name, const char* fallback_name, int fallback) {
  const char* value = std::getenv(name);
  if (!value && fallback_name) value = std::getenv(fallback_name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  long v = std::strtol(value, &end, 10);
  if (*end != '\0' || v < 0) throw Error(std::string("environment variable ") + name + "='" + value + "' is not a non-negative integer");
  return static_cast<int>(v);
}

}  // namespace

DistributedEnv DistributedEnv::from_environment() {
  DistributedEnv env;
  env.rank = env_int("RANK", "SLURM_PROCID", 0);
  env.world_size = env_int("WORLD_SIZE", "SLURM_NTASKS", 1);
  env.local_rank = env_int("LOCAL_RANK", "SLURM_LOCALID", 0);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) env.master_addr = addr;
  env.master_port = env_int("MASTER_PORT", nullptr, 29500);
  if (env.world_size < 1 || env.rank >= env.world_size)
    throw Error("RANK " + std::to_string(env.rank) + " is outside WORLD_SIZE " + std::to_string(env.world_size));
  if (env.master_port > 65535) throw Error("MASTER_PORT " + std::to_string(env.master_port) + " is not a port");
  return env;
}

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

DataParallel::DataParallel(const DistributedEnv& env) : env_(env), impl_(new Impl) {
  if (!env.distributed()) return;
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<uint16_t>(env.master_port);
  opts.isServer = env.rank == 0;
  opts.numWorkers = static_cast<size_t>(env.world_size);
  opts.waitWorkers = true;
  opts.timeout = std::chrono::milliseconds(120000);
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, opts);
    auto options = c10d::ProcessGroupGloo::Options::create();
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr));
    impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world_size, options);
  } catch (const std::exception& e) {
    throw Error("cannot join the process group at " + env.master_addr + ":" + std::to_string(env.master_port) +
                " as rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + ": " + e.what());
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::broadcast(std::vector<torch::Tensor> tensors) {
  if (!env_.distributed() || tensors.empty()) return;
  // One flat buffer: a single collective instead of one per tensor.
  std::vector<torch::Tensor> flat_parts;
  for (auto& t : tensors) flat_parts.push_back(t.detach().reshape({-1}).to(torch::kFloat32).cpu());
  std::vector<torch::Tensor> buffer{torch::cat(flat_parts)};
  impl_->gloo->broadcast(buffer)->wait();
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].slice(0, offset, offset + n).view(t.sizes()).to(t.options()));
    offset += n;
  }
}

void DataParallel::average_gradients(const std::vector<torch::Tensor>& parameters) {
  if (!env_.distributed() || parameters.empty()) return;
  std::vector<torch::Tensor> parts;
  for (const auto& p : parameters) {
    parts.push_back(p.grad().defined() ? p.grad().detach().reshape({-1}).to(torch::kFloat32).cpu()
                                       : torch::zeros({p.numel()}, torch::kFloat32));
  }
  std::vector<torch::Tensor> buffer{torch::cat(parts)};
  impl_->gloo->allreduce(buffer)->wait();
  buffer[0].div_(static_cast<double>(env_.world_size));
  int64_t offset = 0;
  for (const auto& p : parameters) {
    const int64_t n = p.numel();
    auto averaged = buffer[0].slice(0, offset, offset + n).view(p.sizes()).to(p.options());
    if (p.grad().defined()) {
      p.mutable_grad().copy_(averaged);
    } else {
      p.mutable_grad() = averaged.clone();
    }
    offset += n;
  }
}

double DataParallel::average(double value) {
  if (!env_.distributed()) return value;
  std::vector<torch::Tensor> buffer{torch::full({1}, value, torch::kFloat64)};
  impl_->gloo->allreduce(buffer)->wait();
  return buffer[0].item<double>() / env_.world_size;
}

void DataParallel::barrier() {
  if (env_.distributed()) impl_->gloo->barrier()->wait();
}

}  // namespace xwam::train
