// The scripted expert of the synthetic scenes: a waypoint plan per task family (approach, grasp,
// carry, place / push / lift) turned into one commanded end-effector target per frame.
#pragma once
#include <vector>

#include "engine/data/StateActionCodec.h"
#include "engine/data/synthetic/TabletopSim.h"

namespace xwam::data::synthetic {

// Motion limits per control step that set each segment's length before the plan is fitted to the
// episode (segments are then stretched to fill ~85% of the frames, or shortened to fit).
struct ExpertSpeeds {
  double position_m = 0.025;
  double yaw_rad = 0.15;
  double gripper_m = 0.015;
};

// Commanded targets of arm 0 for frames 0..frames−1 (entry 0 is the arm's pose at reset; the plan
// holds its last waypoint once done). Arm 1, if any, holds still. The expert action for frame t is
// encode_action(state_t's arm 0, targets[t+1]). Throws xwam::Error when `frames` is too short for
// the task (fewer frames than waypoints + 2) or the object cannot be grasped.
std::vector<ArmPose> plan_expert(const SceneSpec& spec, int frames, const ExpertSpeeds& speeds = {});

}  // namespace xwam::data::synthetic
