// Fusion options shared by `xwam fuse` and `xwam eval`: --stride, --min-depth, --max-depth, --voxel,
// --outliers, --outlier-std, --confidence, --min-confidence, --cameras.
#pragma once
#include <string>
#include <vector>

#include "app/cli/Command.h"
#include "engine/geometry/DepthFusion.h"

namespace xwam::cli {

// Reads the options above on top of `defaults`; throws xwam::Error on out-of-range values.
geometry::FusionOptions fusion_options(const Args& args, geometry::FusionOptions defaults = {});

// The usage lines of these options, appended to the commands' usage text.
inline constexpr const char* kFusionUsage =
    "\n  fusion: [--stride N] [--min-depth M] [--max-depth M] [--voxel M] [--outliers K [--outlier-std R]]\n"
    "          [--confidence [--min-confidence C]]   (metres; see docs/geometry.md)";

}  // namespace xwam::cli
