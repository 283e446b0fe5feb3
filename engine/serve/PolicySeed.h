// The sampling seed of one policy call, derived as the released policy server does (compute_seed in
// evaluation/policy_server.py): the MD5 digest of "{env_rank}_{rollout_id}_{step_id}" read as a
// big-endian 128-bit integer, modulo 2^32. The same call gets the same noise on every server.
#pragma once
#include <cstdint>

namespace xwam::serve {

uint32_t policy_seed(int64_t env_rank, int64_t rollout_id, int64_t step_id);

}  // namespace xwam::serve
