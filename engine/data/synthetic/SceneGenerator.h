// Procedural tabletop episodes: random scenes and tasks from a seed, the scripted expert run in the
// simulator, every frame rendered from the camera rig. Deterministic for a seed on every platform.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/data/synthetic/RayCaster.h"
#include "engine/data/synthetic/TabletopSim.h"

namespace xwam::data::synthetic {

struct GeneratorOptions {
  std::string task;              // one of task_names(); empty = each episode draws its task family
  int width = 128, height = 96;  // per view, 16..1280 × 16..960
  int frames = 64;               // frames per episode (≥ 16)
  double fps = 10.0;             // recorded frame rate; the expert's speed limits are per frame
  int arms = 1;                  // 1 or 2 (arm 1 holds still in the expert episodes)
  RenderOptions render;
  void validate() const;  // throws xwam::Error naming the bad option
};

// Samples objects, task, arm start poses and cameras; no rendering, no expert.
SceneSpec sample_scene(const GeneratorOptions& options, uint64_t seed);

// One expert episode:
//   auto ep = generate_episode(options, 7);
//   ep.states  T×16 (arm 0 in dims 0..7, state_mask marks the arms present), gripper opening in metres
//   ep.actions T×14, action t = encode_action(state t, expert target of t+1); the last action is zero
//   ep.cameras "main", "side", "wrist0" (+ "wrist1"), RGB + metric z-depth for every frame
//   ep.source["object_poses"]  T×N×7 ground-truth object poses (x y z qw qx qy qz)
//   ep.source["object_shapes"] N×5 (shape as Shape enum value, palette colour, size x y z)
//   ep.source["task_spec"]     7 (TaskKind value, object, target, push direction x y, start x y)
//   ep.success == true: scenes where the expert would fail are re-drawn from derived seeds.
// `cancel` is checked between frames (throws xwam::Cancelled).
Episode generate_episode(const GeneratorOptions& options, uint64_t seed, const CancelToken* cancel = nullptr);

// The scene generate_episode(options, seed) records (the first draw whose expert succeeds).
SceneSpec episode_spec(const GeneratorOptions& options, uint64_t seed);

// The scene a generated episode starts from, rebuilt from its own arrays (also after an episode
// file round trip), so a policy can be scored closed-loop on a recorded scene:
//   TabletopSim sim(scene_spec_from_episode(ep));   // sim.state() == ep.state(0)
// Replaying ep.actions in it reproduces ep.states exactly. Throws xwam::Error naming the missing
// or malformed array when the episode was not made by this generator (or its frame 0 was cut off).
SceneSpec scene_spec_from_episode(const Episode& episode);

// Episodes 0..count−1 of a dataset: episode i uses seed mix_seed(seed, i) and is named
// "episode_%06d". Each finished episode goes to `sink`; `progress` gets one "generate" event per
// episode; `cancel` is checked between frames and episodes (throws xwam::Cancelled).
void generate_episodes(const GeneratorOptions& options, int count, uint64_t seed,
                       const std::function<void(Episode&&)>& sink, const ProgressFn& progress = {},
                       const CancelToken* cancel = nullptr);

}  // namespace xwam::data::synthetic
