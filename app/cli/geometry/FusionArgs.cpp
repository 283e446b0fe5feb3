// Command-line parsing of fusion options.
#include "app/cli/geometry/FusionArgs.h"

#include "engine/core/Error.h"

namespace xwam::cli {

geometry::FusionOptions fusion_options(const Args& args, geometry::FusionOptions o) {
  o.stride = static_cast<int>(args.get_int("stride", o.stride));
  o.min_depth_m = static_cast<float>(args.get_double("min-depth", o.min_depth_m));
  o.max_depth_m = static_cast<float>(args.get_double("max-depth", o.max_depth_m));
  o.voxel_size_m = args.get_double("voxel", o.voxel_size_m);
  o.outlier_neighbors = static_cast<int>(args.get_int("outliers", o.outlier_neighbors));
  o.outlier_std_ratio = args.get_double("outlier-std", o.outlier_std_ratio);
  o.confidence = args.flag("confidence") || o.confidence;
  o.min_confidence = static_cast<float>(args.get_double("min-confidence", o.min_confidence));
  if (o.stride < 1) throw Error("option --stride must be at least 1");
  if (o.min_depth_m < 0 || o.max_depth_m <= o.min_depth_m) throw Error("options --min-depth/--max-depth: need 0 <= min < max");
  if (o.voxel_size_m < 0) throw Error("option --voxel must not be negative");
  if (o.outlier_neighbors < 0 || o.outlier_std_ratio <= 0) throw Error("options --outliers/--outlier-std must be positive");
  if (o.min_confidence > 0 && !o.confidence) throw Error("option --min-confidence needs --confidence");
  return o;
}

}  // namespace xwam::cli
