// How much device memory a rollout needs, per stage, before anything is loaded: the weights that are
// resident (exact, from the config and the dtype policy of XWamModelImpl::set_dtype) and the largest
// activations of the stage (estimated from tensor sizes). `xwam model --memory` prints it.
//
// Placement it assumes (what pipeline::Predictor does): the network in `dtype` with its float32 parts,
// the VAE in float32, both on the device for the whole rollout; umT5-xxl on the host (it runs once per
// instruction and its contexts are cached), a builtin text encoder on the device in float32.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/model/ModelConfig.h"

namespace xwam::model {

struct StageMemory {
  std::string stage;               // text | encode | denoise | decode
  int64_t weight_bytes = 0;        // resident on the device during the stage
  int64_t activation_bytes = 0;    // estimated peak of the stage's working tensors
  int64_t total() const { return weight_bytes + activation_bytes; }
};

struct MemoryPlan {
  int64_t network_bytes = 0;       // DiT + depth branch + X-WAM heads, as set_dtype(dtype) stores them
  int64_t vae_bytes = 0;           // float32
  int64_t text_device_bytes = 0;   // the text encoder's weights on the device (0 when on the host)
  int64_t text_host_bytes = 0;     // ... on the host
  std::vector<StageMemory> stages;
  int64_t peak_bytes() const;
};

// `dtype` of the network's weights (float32, bfloat16, float16); `guidance` doubles the network batch.
MemoryPlan plan_rollout_memory(const XWamConfig& config, torch::ScalarType dtype, bool guidance = false);

// Bytes of the network's parameters after set_dtype(dtype), from the config alone.
int64_t network_weight_bytes(const XWamConfig& config, torch::ScalarType dtype);

// "bfloat16" | "float16" | "float32" (also "bf16", "fp16", "fp32") → dtype; throws xwam::Error otherwise.
torch::ScalarType dtype_from_string(const std::string& name);
std::string dtype_name(torch::ScalarType dtype);

}  // namespace xwam::model
