// A rollout directory: what the sampler predicts for one episode (multi-view RGB + depth per predicted
// frame, predicted states and actions), as specified in docs/rollout-format.md.
#pragma once
#include <string>
#include <vector>

#include "engine/data/Episode.h"

namespace xwam::geometry {

// One camera's predicted images: K frames of H·W·3 RGB bytes and K frames of H·W float32 metres
// (0 = invalid); `depth` is empty when the rollout has no depth for this camera.
struct RolloutView {
  std::string camera;
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  std::vector<float> depth;

  const uint8_t* rgb_frame(int k) const { return rgb.data() + static_cast<size_t>(k) * width * height * 3; }
  const float* depth_frame(int k) const {
    return depth.empty() ? nullptr : depth.data() + static_cast<size_t>(k) * width * height;
  }
};

struct Rollout {
  std::string dir;           // directory it was read from (empty for one built in memory); used in errors
  std::string scene;         // episode file the rollout was conditioned on (informational)
  int episode = 0;           // episode index in that file
  std::string episode_name;  // optional, for checking
  std::string mode;          // sampler mode ("xwam", "sync", ...), informational
  int start_frame = 0;       // episode frame of the conditioning observation O_0 / s_0
  std::vector<int> frame_indices;          // K: episode frame of each predicted frame
  std::vector<RolloutView> views;          // one per camera, in manifest order
  std::vector<float> states;               // K·16 predicted states (one per predicted frame), or empty
  std::vector<int> action_frame_indices;   // A: episode control step each predicted action stands for
  std::vector<float> actions;              // A·14 predicted actions

  int num_frames() const { return static_cast<int>(frame_indices.size()); }
  // Checks that every array matches frame_indices and the view sizes (K frames of H·W·3 / H·W values,
  // K·16 states or none, A·14 actions for A action indices). Throws xwam::Error naming the camera or key.
  void validate() const;
  int view_index(const std::string& camera) const;  // -1 when absent
  const float* state(int k) const { return states.data() + static_cast<size_t>(k) * data::kStateDim; }
};

// Reads manifest.json, every camera's PNG/f32 frames and the CSVs. Throws xwam::Error naming the file,
// camera or key (missing frame, size mismatch between frames, malformed CSV row).
Rollout read_rollout(const std::string& dir);

// A K × 14 actions CSV as a rollout directory holds it (header row, then frame_index and 14 values per
// row), e.g. edited actions to imagine with `xwam rollout --mode action-conditioned --actions`.
// Returns the values row-major; throws xwam::Error naming the file and row.
std::vector<float> read_actions_csv(const std::string& path);

// Writes `rollout` in the same layout into a new (absent or empty) folder, manifest.json last. An
// OutputDir of kind "rollout" puts it in place whole.
void write_rollout(const std::string& dir, const Rollout& rollout);

}  // namespace xwam::geometry
