// `xwam bench finite-weights`: the NaN/inf scan load_into runs on every checkpoint, against the copy
// into the module it precedes (the baseline), on the same tensor in the same run.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/Command.h"
#include "bench/Timing.h"
#include "engine/core/Error.h"
#include "engine/io/FiniteWeights.h"

XWAM_BENCH(finite_weights, "NaN/inf scan of weights at load vs copying them into the module",
           "xwam bench finite-weights [--million 256] [--dtype bfloat16|float16|float32] [--repeats 3] [--warmup 1]", {"json"}) {
  using namespace xwam;
  (void)args.flag("json");
  const long long million = args.get_int("million", 256);
  const std::string dtype_name = args.get("dtype", "bfloat16");
  const bench::TimingOptions timing = bench::timing_options(args.get_int("repeats", 3), args.get_int("warmup", 1));
  args.check_all_used();
  const torch::ScalarType dtype = dtype_name == "float32"   ? torch::kFloat32
                                  : dtype_name == "float16" ? torch::kFloat16
                                  : dtype_name == "bfloat16" ? torch::kBFloat16
                                                             : throw Error("--dtype: expected bfloat16, float16 or float32");
  if (million < 1 || million > 100000) throw Error("option --million must be between 1 and 100000");
  const int64_t values = million * 1000000;

  const io::TensorMap weights = {{"w", torch::randn({values}).to(dtype)}};
  torch::Tensor target = torch::empty({values}, dtype);
  const bench::Timing check_ms = bench::time_runs(timing, [&] { io::check_finite_weights(weights, "bench"); });
  const bench::Timing copy_ms = bench::time_runs(timing, [&] { target.copy_(weights.at("w")); });
  const double gb = static_cast<double>(values) * weights.at("w").element_size() / 1e9;
  const nlohmann::json out = {{"benchmark", "finite-weights"},
                              {"values", values},
                              {"dtype", dtype_name},
                              {"threads", torch::get_num_threads()},
                              {"warmup", timing.warmup},
                              {"repeats", timing.repeats},
                              {"check_ms", check_ms.to_json()},
                              {"check_gb_per_s", gb / (check_ms.median_ms / 1e3)},
                              {"baseline", "copy_into_module"},
                              {"copy_ms", copy_ms.to_json()},
                              {"check_over_copy", check_ms.median_ms / copy_ms.median_ms}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
