// The released X-WAM dataset layout (metadata.json, data/chunk-*/episode_*.json, RGB and depth mp4s,
// a statistics YAML), read into Episodes and written from them, plus our camera calibration sidecar
// (CAMERAS.json) that the released files lack. Layout and encodings: docs/xwam-dataset.md.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"
#include "engine/data/NormStats.h"

namespace xwam::data {

// How an 8-bit depth video value v (0..255) maps to metres.
struct DepthMapping {
  enum class Kind { Linear, Inverse } kind = Kind::Linear;  // d linear in v, or 1/d linear in v
  double near_m = 0.0, far_m = 1.0;                          // v = 0 → near, v = 255 → far
  bool zero_is_invalid = false;                              // v = 0 marks missing depth
  float to_metres(uint8_t v) const;
  uint8_t to_value(float depth_m) const;
};

// One camera of CAMERAS.json: intrinsics at the stored resolution, pose, depth mapping; any part may
// be missing (fusion then refuses, naming the camera and the field).
struct CameraCalibration {
  std::optional<PinholeIntrinsics> intrinsics;
  CameraMount mount = CameraMount::Fixed;
  std::optional<Eigen::Matrix4d> T_world_cam;  // fixed
  std::optional<Eigen::Matrix4d> T_ee_cam;     // wrist
  int arm = 0;
  std::optional<DepthMapping> depth;
};
using CameraCalibrations = std::map<std::string, CameraCalibration>;

CameraCalibrations read_camera_calibrations(const std::string& path);  // throws naming file and key
void write_camera_calibrations(const std::string& path, const CameraCalibrations& cameras);

// The dataset config's `statistics: {q01: {...}, q99: {...}}` (a released run's config.yaml holds it as
// `dataset.statistics`; a file may also hold just that block),
// mapped onto the 16/14-d interface. Keys: proprio_{left,right}_ee_xyz, gripper_pos,
// action_{left,right}_ee_xyz, action_{left,right}_ee_axisangle, gripper_action.
NormStats read_xwam_statistics(const std::string& yaml_path);
void write_xwam_statistics(const std::string& yaml_path, const NormStats& stats);

// Episode keys ("chunk-0000/episode_0000000") from metadata.json, or by scanning data/chunk-*/.
std::vector<std::string> list_xwam_episodes(const std::string& root);

// Reads one episode: every camera of `observations` (RGB and depth videos, frames start..end),
// instructions (the first becomes Episode::instruction, all are kept in source), proprio and
// actions encoded as the released loader does (quaternion wxyz with w ≥ 0; Δpos = a_pos − p_pos,
// ΔR = R_a·R_pᵀ as axis-angle, gripper p(t+1) − p(t); `raw_actions` used when present, its gripper
// negated). Missing arms are zero with mask 0. Throws xwam::Error naming the file, episode, camera, key.
Episode read_xwam_episode(const std::string& root, const std::string& key, const CameraCalibrations& cameras);

struct XWamExportOptions {
  double video_quality = 0.95;
  int episodes_per_chunk = 1000;
};

// Writes the layout under `root` (created; must be empty or absent; an OutputDir of kind "xwam-dataset"
// puts it in place whole): metadata.json, episode JSONs,
// RGB/depth mp4s, statistics.yaml (released key names) and CAMERAS.json (calibration + the linear
// depth mapping used for each camera's 8-bit depth video). Every file is written atomically.
void export_xwam_dataset(const std::vector<Episode>& episodes, const NormStats& stats, const std::string& root,
                         const XWamExportOptions& options = {}, const ProgressFn& progress = {});

}  // namespace xwam::data
