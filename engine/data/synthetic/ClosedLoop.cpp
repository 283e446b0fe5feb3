#include "engine/data/synthetic/ClosedLoop.h"

#include <chrono>

#include "engine/core/Error.h"
#include "engine/data/synthetic/ExpertPlanner.h"

namespace xwam::data::synthetic {
namespace {

// Re-plans nothing: follows the expert's commanded targets from the actual current state, one
// action per call (exact even while a grasp holds the gripper at the object's width).
class ExpertPolicy : public Policy {
 public:
  ExpertPolicy(const SceneSpec& spec, int frames) : targets_(plan_expert(spec, frames)) {}
  std::string name() const override { return "scripted expert"; }
  std::vector<Action> act(const Episode& now) override {
    const int t = now.first_frame;
    const ArmPose current = arm_pose_from_state(now.state(0));
    const ArmPose& target = targets_[std::min<size_t>(t + 1, targets_.size() - 1)];
    Action a{};
    encode_action(current, target, a.data());
    return {a};
  }

 private:
  std::vector<ArmPose> targets_;
};

class ZeroPolicy : public Policy {
 public:
  explicit ZeroPolicy(int chunk) : chunk_(chunk) {}
  std::string name() const override { return "zero action"; }
  std::vector<Action> act(const Episode&) override { return std::vector<Action>(chunk_, Action{}); }

 private:
  int chunk_;
};

}  // namespace

std::unique_ptr<Policy> make_expert_policy(const SceneSpec& spec, int frames) {
  return std::make_unique<ExpertPolicy>(spec, frames);
}

std::unique_ptr<Policy> make_zero_policy(int chunk) { return std::make_unique<ZeroPolicy>(chunk); }

double ClosedLoopReport::success_rate() const {
  if (episodes.empty()) return 0.0;
  int ok = 0;
  for (const auto& e : episodes) ok += e.success;
  return static_cast<double>(ok) / episodes.size();
}

Episode observation(const TabletopSim& sim, const std::string& instruction, double fps) {
  Episode ep;
  ep.name = "observation";
  ep.instruction = instruction;
  ep.fps = fps;
  ep.num_frames = 1;
  ep.first_frame = sim.steps();
  ep.total_frames = sim.steps() + 1;
  ep.cameras = sim.spec().cameras;
  for (const auto& view : sim.observe()) {
    ep.rgb.push_back(view.rgb);
    ep.depth.push_back(view.depth);
  }
  ep.states.assign(sim.state().begin(), sim.state().end());
  ep.actions.assign(kActionDim, 0.f);
  for (int d = 0; d < kStateDim; ++d) ep.state_mask[d] = d < kStatePerArm * sim.spec().arms ? 1 : 0;
  for (int d = 0; d < kActionDim; ++d) ep.action_mask[d] = d < kActionPerArm * sim.spec().arms ? 1 : 0;
  return ep;
}

ClosedLoopReport evaluate_closed_loop(const PolicyFactory& make_policy, const ClosedLoopOptions& options,
                                      const std::vector<uint64_t>& seeds, const ProgressFn& progress,
                                      const CancelToken* cancel) {
  options.generator.validate();
  ClosedLoopReport report;
  const int budget = options.generator.frames - 1;
  for (size_t i = 0; i < seeds.size(); ++i) {
    throw_if_cancelled(cancel);
    const SceneSpec spec = episode_spec(options.generator, seeds[i]);
    std::unique_ptr<Policy> policy = make_policy(spec);
    if (report.policy.empty()) report.policy = policy->name();
    TabletopSim sim(spec, options.generator.render);
    EpisodeOutcome outcome;
    outcome.seed = seeds[i];
    outcome.task = task_name(spec.task.kind);
    outcome.instruction = spec.task.instruction;
    while (sim.steps() < budget && !sim.success()) {
      throw_if_cancelled(cancel);
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<Action> chunk = policy->act(observation(sim, spec.task.instruction, options.generator.fps));
      outcome.policy_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (chunk.empty()) throw Error("policy '" + policy->name() + "' returned no actions");
      ++outcome.chunks;
      const size_t n = options.execute_per_chunk > 0 ? std::min<size_t>(chunk.size(), options.execute_per_chunk) : chunk.size();
      for (size_t k = 0; k < n && sim.steps() < budget && !sim.success(); ++k) sim.step(chunk[k].data());
    }
    outcome.success = sim.success();
    outcome.steps = sim.steps();
    auto& tally = report.per_task[outcome.task];
    tally.episodes += 1;
    tally.successes += outcome.success;
    report.episodes.push_back(outcome);
    if (progress)
      progress({"closed-loop", static_cast<long long>(i + 1), static_cast<long long>(seeds.size()),
                outcome.task + (outcome.success ? " success" : " failure")});
  }
  return report;
}

}  // namespace xwam::data::synthetic
