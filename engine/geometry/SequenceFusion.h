// Fusion of whole frame ranges into a CloudSequence: recorded frames of an episode, or the predicted
// frames of a rollout (wrist cameras posed by the predicted states).
//
//   auto recorded  = fuse_recorded(episode, {0, 4, 8}, FusionOptions{});
//   auto predicted = fuse_predicted(episode, read_rollout("run/rollout"), FusionOptions{});
//   set_point_errors(predicted, recorded);   // per-point metres to the recorded cloud, for the renderer
#pragma once
#include <string>
#include <vector>

#include "engine/data/Episode.h"
#include "engine/geometry/CloudSequence.h"
#include "engine/geometry/DepthFusion.h"
#include "engine/geometry/Rollout.h"

namespace xwam::geometry {

// Fuses the listed frames (indices into `episode`, i.e. 0 … num_frames−1) of the named cameras
// (empty = every camera). frame_indices of the result are stored-episode indices (first_frame added).
// Throws xwam::Error naming the camera when it is unknown, uncalibrated or has no depth.
CloudSequence fuse_recorded(const data::Episode& episode, const std::vector<int>& frames, const FusionOptions& options,
                            const std::vector<std::string>& cameras = {});

// Fuses every predicted frame of `rollout` with the calibration of `episode` (matched by camera name).
// Fixed cameras keep their extrinsic; wrist cameras use the rollout's predicted state of that frame.
// When the rollout's image size differs from the calibration's, the intrinsics are scaled by the size
// ratio (a resize, not a crop). Throws xwam::Error naming the camera when it is not in the episode, is
// uncalibrated, has no predicted depth, or is a wrist camera and the rollout has no states.
CloudSequence fuse_predicted(const data::Episode& episode, const Rollout& rollout, const FusionOptions& options,
                             const std::vector<std::string>& cameras = {});

// The camera model of rollout view `view` at predicted frame k (as fuse_predicted poses it).
CameraModel predicted_camera(const data::Episode& episode, const Rollout& rollout, int view, int k);

// Sets frames[k].error of `sequence` to each point's distance in metres to frames[k] of `reference`.
// Throws xwam::Error when the frame counts differ.
void set_point_errors(CloudSequence& sequence, const CloudSequence& reference);

}  // namespace xwam::geometry
