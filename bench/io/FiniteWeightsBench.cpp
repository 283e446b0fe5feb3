// `xwam bench finite-weights`: the NaN/inf scan load_into runs on every checkpoint, against the copy
// into the module it precedes (the baseline), on the same tensor in the same run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "engine/core/Error.h"
#include "engine/io/FiniteWeights.h"

using Clock = std::chrono::steady_clock;

namespace {
template <typename F>
double median_ms(int repeats, F&& fn) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}
}  // namespace

XWAM_BENCH(finite_weights, "NaN/inf scan of weights at load vs copying them into the module",
           "xwam bench finite-weights [--million 256] [--dtype bfloat16|float16|float32] [--repeats 3]", {"json"}) {
  using namespace xwam;
  (void)args.flag("json");
  const int64_t values = args.get_int("million", 256) * 1000000;
  const std::string dtype_name = args.get("dtype", "bfloat16");
  const int repeats = static_cast<int>(args.get_int("repeats", 3));
  args.check_all_used();
  const torch::ScalarType dtype = dtype_name == "float32"   ? torch::kFloat32
                                  : dtype_name == "float16" ? torch::kFloat16
                                  : dtype_name == "bfloat16" ? torch::kBFloat16
                                                             : throw Error("--dtype: expected bfloat16, float16 or float32");
  if (values <= 0 || repeats <= 0) throw Error("--million and --repeats must be positive");

  const io::TensorMap weights = {{"w", torch::randn({values}).to(dtype)}};
  torch::Tensor target = torch::empty({values}, dtype);
  const double check_ms = median_ms(repeats, [&] { io::check_finite_weights(weights, "bench"); });
  const double copy_ms = median_ms(repeats, [&] { target.copy_(weights.at("w")); });
  const double gb = static_cast<double>(values) * weights.at("w").element_size() / 1e9;
  const nlohmann::json out = {{"benchmark", "finite-weights"}, {"values", values},      {"dtype", dtype_name},
                              {"threads", torch::get_num_threads()},                   {"check_ms", check_ms},
                              {"check_gb_per_s", gb / (check_ms / 1e3)},               {"baseline", "copy_into_module"},
                              {"copy_ms", copy_ms},          {"check_over_copy", check_ms / copy_ms}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
