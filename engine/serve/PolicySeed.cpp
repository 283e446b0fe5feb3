#include "engine/serve/PolicySeed.h"

#include <string>

#include "engine/serve/Md5.h"

namespace xwam::serve {

uint32_t policy_seed(int64_t env_rank, int64_t rollout_id, int64_t step_id) {
  const auto digest = md5(std::to_string(env_rank) + "_" + std::to_string(rollout_id) + "_" + std::to_string(step_id));
  // A big-endian number modulo 2^32 is its last four bytes.
  return static_cast<uint32_t>(digest[12]) << 24 | static_cast<uint32_t>(digest[13]) << 16 |
         static_cast<uint32_t>(digest[14]) << 8 | static_cast<uint32_t>(digest[15]);
}

}  // namespace xwam::serve
