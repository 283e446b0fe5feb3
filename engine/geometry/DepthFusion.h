// Multi-view depth fusion: unproject every view's valid depth pixels with their colours into one
// world-frame point cloud, then optionally score view agreement, voxel-downsample and drop outliers.
//
//   std::vector<DepthView> views = {{recorded_camera(ep, 0, t), ep.depth_frame(0, t), ep.rgb_frame(0, t)}};
//   CloudFrame cloud = fuse_views(views, FusionOptions{});
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/geometry/CameraModel.h"
#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

// One posed view. `depth_m` holds H·W z-depths in metres, row-major (0 or non-finite = invalid);
// `rgb` holds H·W·3 bytes or is nullptr (points are then mid grey). Both must outlive the call.
struct DepthView {
  CameraModel camera;
  const float* depth_m = nullptr;
  const uint8_t* rgb = nullptr;
};

struct FusionOptions {
  int stride = 1;              // use every stride-th pixel along rows and columns (1 = all)
  float min_depth_m = 0.0f;    // valid depth: min_depth_m ≤ z ≤ max_depth_m and z > 0
  float max_depth_m = 1e6f;
  // Confidence from view agreement: a point of view a is checked against every other view b in
  // whose image it lands with valid depth D_b (bilinear on smooth surfaces) and is not occluded
  // (z_b ≤ D_b·(1 + tol)); it agrees when |z_b − D_b| ≤ tol·D_b. confidence = (1 + agreeing) /
  // (1 + checked): 1 means no other view contradicts the point, lower values mean other views see
  // free space where the point is. Points behind another view's surface count as occluded, so depth
  // that is too far is only caught by views that see past it.
  bool confidence = false;
  float agreement_tolerance = 0.02f;  // relative depth tolerance `tol`
  float min_confidence = 0.0f;        // drop points below this (only with confidence)
  double voxel_size_m = 0.0;          // > 0: one point per voxel (see voxel_downsample)
  int outlier_neighbors = 0;          // > 0: statistical outlier removal with this many neighbours
  double outlier_std_ratio = 2.0;
};

// Fuses the views in order; points come out view by view, pixels row-major, then the options'
// steps apply in the order confidence → min_confidence → voxel → outliers. CloudFrame::view holds the
// index into `views`. Throws xwam::Error naming the camera when a view has no depth or no size.
CloudFrame fuse_views(const std::vector<DepthView>& views, const FusionOptions& options = {});

// Per-point view agreement of `cloud` (fused from `views`, view indices into it), as FusionOptions
// describes. Returns N values in [0, 1].
std::vector<float> view_agreement(const CloudFrame& cloud, const std::vector<DepthView>& views, float tolerance);

// The model predicts depth as normalised inverse depth n ∈ [0, 1] (decoded from its pseudo-RGB):
// 1/z = 1/far + n·(1/near − 1/far), so n = 1 is `near_m` and n = 0 is `far_m`. Values n ≤ 0 or
// non-finite become 0 (invalid); n > 1 is clamped to near.
struct InverseDepthRange {
  float near_m = 0.1f;
  float far_m = 10.0f;
};
std::vector<float> depth_from_inverse(const float* normalized_inverse, size_t count, const InverseDepthRange& range);

#ifdef XWAM_GEOMETRY_CUDA
// The unprojection step of fuse_views for one view on the GPU (cuda/UnprojectCUDA.cu): appends the
// view's valid pixels to `out` (xyz, rgb, view only) in the same order and within 1e-5 m of the CPU.
// Throws xwam::Error when no CUDA device is present or a CUDA call fails.
void unproject_view_cuda(const DepthView& view, uint8_t view_index, const FusionOptions& options, CloudFrame& out);
bool cuda_device_available();
#endif

}  // namespace xwam::geometry
