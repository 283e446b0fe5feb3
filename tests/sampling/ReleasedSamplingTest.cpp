// Whole sampling runs against the released inference loop (XWAMRunner.forward with its three UniPC
// schedulers, tests/model/xwam_golden.py): from the same noise, the action chunk, the states, the
// video latents and the depth latents after 10 action / 50 video steps, and after 4 / 12 steps with
// classifier-free guidance 2.5 (the released cfg scale s mixes uncond + s·(cond − uncond), as ours).
#include <gtest/gtest.h>

#include "engine/sampling/Denoiser.h"
#include "engine/sampling/XWamNetwork.h"
#include "tests/model/ReleasedReference.h"

using namespace xwam;

TEST(ReleasedSampling, AsynchronousRunsMatchTheReleasedLoop) {
  const auto& runs = test::reference_meta().at("sampling_runs");
  ASSERT_EQ(runs.size(), 2u);
  torch::NoGradGuard no_grad;
  for (const auto& run : runs) {
    const std::string key = run.at("key"), config_name = run.at("config");
    SCOPED_TRACE(key);
    model::XWamModel model(test::reference_config(config_name));
    test::hashed_weights(*model);
    model->eval();
    sampling::Conditions cond;
    cond.video = test::reference(key + ".in.cond_video");
    cond.state = test::reference(key + ".in.s0");
    cond.text = test::reference(key + ".in.text");
    cond.empty_text = test::reference(key + ".in.empty_text");
    sampling::XWamNetwork network(model, cond);
    sampling::Tokens start;
    start.video = test::reference(key + ".in.noise_video");
    start.action = test::reference(key + ".in.noise_actions");
    start.state = test::reference(key + ".in.noise_states");
    const auto plan = sampling::DenoisePlan::make({sampling::Mode::XWam, run.at("steps_action").get<int>(),
                                                   run.at("steps_video").get<int>()});
    const double cfg = run.at("cfg");
    const auto result = sampling::denoise(network, plan, start, sampling::SolverKind::UniPC, cfg > 0 ? cfg : 1.0, {}, nullptr);
    for (auto [name, ours] : {std::pair{"video", result.clean.video}, {"actions", result.clean.action},
                              {"states", result.clean.state}, {"depth", result.depth}}) {
      const auto released = test::reference(key + ".out." + name);
      ASSERT_EQ(ours.sizes(), released.sizes()) << name;
      EXPECT_LE(test::max_relative_error(ours, released), 1e-5) << name;
    }
  }
}
