// robomimic / RoboCasa HDF5 (data/demo_N/obs/<camera>_image, <camera>_depth, robot0_eef_pos,
// robot0_eef_quat (xyzw), robot0_gripper_qpos, actions) → Episodes on the 16/14-d interface.
#pragma once
#include <string>
#include <vector>

#include "engine/data/importers/ImportOptions.h"

namespace xwam::data {

// States per arm from eef position, quaternion (xyzw → wxyz, w ≥ 0) and gripper opening
// (finger qpos[0] − qpos[1]); actions from consecutive states (Δpos, ΔR as axis-angle, gripper
// delta; the last frame holds). A second arm comes from robot1_* keys. The instruction is RoboCasa's
// ep_meta "lang", else the env name. The raw `actions` and every low-dim obs key are kept in
// Episode::source. Intrinsics come from the camera's fovy in the demo's MJCF (`model_file` attribute;
// MujocoCamera.h), converted to the OpenCV convention; no extrinsics (eye_in_hand cameras are wrist
// cameras of arm 0). Throws xwam::Error naming file, demo and key.
void import_robomimic(const std::string& path, const ImportOptions& options, const EpisodeSink& sink,
                      const ProgressFn& progress = {});
// The same, every demo of the file in memory at once (small files, tests).
std::vector<Episode> import_robomimic_all(const std::string& path, const ImportOptions& options,
                                          const ProgressFn& progress = {});

}  // namespace xwam::data
