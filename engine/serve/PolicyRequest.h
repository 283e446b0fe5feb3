// One request of the released X-WAM evaluation protocol (evaluation/policy_server.py): a pickled dict
// with `video` (numpy, views × H × W × 3: float in [−1, 1] as the released RoboTwin and RoboCasa
// clients send it, or uint8), `proprios` (16 floats, raw units), `prompt` (a list of one string),
// optional `cfg` (0 = no guidance) and `env_rank`, `rollout_id`, `step_id` (ints that seed the call).
// Decoded by the restricted unpickler with the numpy array globals only.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace xwam::serve {

struct RequestLimits {
  size_t max_bytes = size_t(256) << 20;  // a larger message is refused before it is read
  int max_views = 16;
  int max_side = 4096;                   // pixels per image side
};

struct PolicyRequest {
  int views = 0, height = 0, width = 0;
  std::vector<float> video;           // views × height × width × 3, in [−1, 1]
  std::array<double, 16> proprios{};  // the engine's state layout, raw units
  std::string prompt;
  double cfg = 0;                     // the released server's guidance scale; ≤ 0: none
  int64_t env_rank = 0, rollout_id = 0, step_id = 0;

  uint32_t seed() const;  // policy_seed(env_rank, rollout_id, step_id)
};

// Reads and checks one request. Throws xwam::Error naming "request" and what is wrong (not a pickle,
// a global other than numpy's array globals, a missing or mistyped key, an image that is not
// views × H × W × 3 within the limits, a NaN or infinite number).
PolicyRequest decode_request(const std::string& bytes, const RequestLimits& limits = {});

}  // namespace xwam::serve
