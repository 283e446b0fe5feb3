// rollout.json: what a rollout directory records of the run that made it (checkpoint, scene, request,
// device, timings), written the same by `xwam rollout` and by the studio (docs/rollout-format.md).
#pragma once
#include <string>

#include "engine/core/OutputDir.h"
#include "engine/pipeline/api/RolloutTypes.h"

namespace xwam::pipeline {

struct RolloutProvenance {
  std::string checkpoint;    // the loaded checkpoint
  std::string episode_name;
  std::string instruction;   // the instruction used (the episode's own when the request had none)
  std::string device, dtype;
  int threads = 0;
};

// The rollout.json text. The scene file and episode index are the rollout's (result.rollout.scene /
// .episode, set by the front that read the episode).
std::string rollout_record_json(const RolloutRequest& request, const RolloutResult& result, const RolloutProvenance& p);

// Writes the rollout directory (geometry::write_rollout) and rollout.json to `out` through an OutputDir
// of kind "rollout": whole or not at all, refusing a folder of the user's. Returns where `force` moved a
// previous folder, or "". Throws xwam::Error naming the path.
std::string save_rollout(const std::string& out, const RolloutResult& result, const RolloutRequest& request,
                         const RolloutProvenance& provenance, const OutputOptions& options);

}  // namespace xwam::pipeline
