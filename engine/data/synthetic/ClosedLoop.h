// Closed-loop policy evaluation in the tabletop simulator: a policy sees the current observation,
// returns an action chunk, the simulator executes it, until the task succeeds or time runs out.
// This is how X-WAM's policy is scored on our tasks (the paper's chunk-by-chunk execution).
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/data/synthetic/SceneGenerator.h"

namespace xwam::data::synthetic {

using Action = std::array<float, kActionDim>;

// A policy: given the current observation — a one-frame Episode with every camera's RGB-D and
// calibration, the 16-d state and the instruction — returns the next actions (un-normalized).
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  virtual std::vector<Action> act(const Episode& now) = 0;
};

// The scripted expert re-planned from the scene (an upper bound), and doing nothing (a lower bound).
std::unique_ptr<Policy> make_expert_policy(const SceneSpec& spec, int frames);
std::unique_ptr<Policy> make_zero_policy(int chunk = 8);

struct ClosedLoopOptions {
  GeneratorOptions generator;  // scene sampling, image size, episode length = step budget
  int execute_per_chunk = 0;   // execute at most this many actions of each chunk (0 = all)
};

struct EpisodeOutcome {
  uint64_t seed = 0;
  std::string task, instruction;
  bool success = false;
  int steps = 0, chunks = 0;
  double policy_ms = 0;  // time spent inside the policy
};

struct ClosedLoopReport {
  std::string policy;
  std::vector<EpisodeOutcome> episodes;
  struct Tally {
    int successes = 0, episodes = 0;
  };
  std::map<std::string, Tally> per_task;
  double success_rate() const;
};

// Runs one episode per seed (the scene generate_episode(options.generator, seed) would record), the
// policy factory building a fresh policy per episode. Stops an episode at success or after
// generator.frames − 1 steps. `progress` gets one "closed-loop" event per episode.
using PolicyFactory = std::function<std::unique_ptr<Policy>(const SceneSpec& spec)>;
ClosedLoopReport evaluate_closed_loop(const PolicyFactory& make_policy, const ClosedLoopOptions& options,
                                      const std::vector<uint64_t>& seeds, const ProgressFn& progress = {},
                                      const CancelToken* cancel = nullptr);

// The current observation of a simulator as a one-frame episode (what a policy sees).
Episode observation(const TabletopSim& sim, const std::string& instruction, double fps);

}  // namespace xwam::data::synthetic
