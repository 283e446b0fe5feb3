// The answers of the released X-WAM evaluation protocol, as pickles Python's pickle.loads turns into
// a dict: {"proprios": float64 [frames, 16], "actions": float64 [K, action_dim]} for a prediction,
// {"error": str} for a request that could not be served (docs/serve.md).
#pragma once
#include <string>
#include <vector>

namespace xwam::serve {

struct PolicyResult {
  int frames = 0, actions = 0, action_dim = 0;
  std::vector<double> proprios;  // frames × 16, raw units
  std::vector<double> chunk;     // actions × action_dim, raw units
};

std::string encode_result(const PolicyResult& result);
std::string encode_error(const std::string& message);

}  // namespace xwam::serve
