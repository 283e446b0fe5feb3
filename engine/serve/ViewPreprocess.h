// The released policy server's image preprocessing (resize_and_center_crop_tensor in
// evaluation/policy_server.py): each view resized to the model's video size (bilinear,
// align_corners=False, no antialias: torch's F.interpolate), a centre crop of crop_ratio of each side,
// resized back to the video size. Float32 arithmetic as torch's CPU kernel.
#pragma once
#include <vector>

namespace xwam::serve {

// video: views × height × width × 3, in [−1, 1]. Returns views × out_height × out_width × 3.
std::vector<float> preprocess_views(const std::vector<float>& video, int views, int height, int width, int out_height,
                                    int out_width, double crop_ratio = 0.95);

}  // namespace xwam::serve
