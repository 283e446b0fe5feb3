// RoboTwin 2.0 episodes (one HDF5 per episode: observation/<camera>/{rgb, depth, intrinsic_cv,
// extrinsic_cv}, endpose/{left,right}_endpose + _gripper, joint_action/*) → Episodes.
#pragma once
#include <string>

#include "engine/data/importers/ImportOptions.h"

namespace xwam::data {

// Two arms: end poses (xyz + quaternion wxyz) and gripper openness become the 16-d state, actions
// come from consecutive states. RGB as uint8 arrays or encoded JPEG/PNG bytes per frame; depth in
// stored units × depth_scale, as T×H×W numbers or one 16-bit PNG per frame. head/front cameras are
// fixed (extrinsic_cv is world-to-camera), left_camera/right_camera are wrist cameras of arm 0/1 with
// hand-eye from frame 0; per-frame extrinsics and joint actions are kept in Episode::source. The
// instruction is the first "seen" one of ../instructions/episodeN.json when present. Throws
// xwam::Error naming file, camera and key.
Episode import_robotwin_episode(const std::string& path, const ImportOptions& options);

}  // namespace xwam::data
