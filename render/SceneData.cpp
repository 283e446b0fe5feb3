// Size checks of the plain scene data.
#include "render/SceneData.h"

#include "render/RenderError.h"

namespace xwam::render {

void validate(const PointSequence& s, const std::string& what) {
  for (size_t f = 0; f < s.frames.size(); ++f) {
    const PointFrame& fr = s.frames[f];
    const size_t n = fr.size();
    const std::string where = what + " frame " + std::to_string(f) + ": ";
    if (fr.xyz.size() % 3 != 0) throw RenderError(where + "xyz holds " + std::to_string(fr.xyz.size()) + " floats, not 3 per point");
    if (fr.rgb.size() != 3 * n) throw RenderError(where + "rgb must hold 3 bytes per point");
    if (!fr.view.empty() && fr.view.size() != n) throw RenderError(where + "view must be empty or one byte per point");
    if (!fr.error.empty() && fr.error.size() != n) throw RenderError(where + "error must be empty or one float per point");
  }
  if (!s.camera_poses.empty()) {
    if (s.camera_poses.size() != s.frames.size()) throw RenderError(what + ": camera_poses must have one entry per frame");
    for (const auto& poses : s.camera_poses)
      if (poses.size() != s.cameras.size()) throw RenderError(what + ": camera_poses must have one pose per camera");
  }
  if (!s.trajectory.empty() && s.trajectory.size() != s.frames.size())
    throw RenderError(what + ": trajectory must have one position per frame");
  if (!s.frame_indices.empty() && s.frame_indices.size() != s.frames.size())
    throw RenderError(what + ": frame_indices must have one entry per frame");
}

}  // namespace xwam::render
