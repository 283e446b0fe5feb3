// Options shared by the importers of foreign recording layouts.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/data/Episode.h"

namespace xwam::data {

struct ImportOptions {
  std::vector<std::string> cameras;  // cameras to keep (empty = all)
  // robomimic / robosuite store the z-buffer normalized to [0, 1]; with near/far > 0 it becomes
  // metric depth d = near / (1 − v·(1 − near/far)). Otherwise values are taken as metres.
  double depth_near_m = 0.0, depth_far_m = 0.0;
  double depth_scale = 0.001;  // RoboTwin: metres per stored depth unit (millimetres)
  bool flip_vertical = false;  // robosuite renders upside down unless its image convention is opencv
  double fps = 20.0;           // robomimic files do not say
  // Told once per file about input that imports but looks wrong (e.g. depth that seems normalized).
  std::function<void(const std::string&)> warn;
};

// Each imported episode is handed over as soon as it is read, so large files never sit in memory.
using EpisodeSink = std::function<void(Episode&&)>;

}  // namespace xwam::data
