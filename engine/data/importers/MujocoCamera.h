// Intrinsics of MuJoCo cameras (robosuite, robomimic, RoboCasa): the vertical field of view `fovy` of a
// camera in the scene's MJCF, and the pinhole K it renders with, in the OpenCV convention.
#pragma once
#include <optional>
#include <string>

#include "engine/data/Camera.h"

namespace xwam::data {

// fovy in degrees of the <camera name="..."> element of `mjcf_xml`: its `fovy` attribute, MuJoCo's
// default 45 when it has none, nullopt when the scene has no camera of that name.
std::optional<double> mjcf_camera_fovy(const std::string& mjcf_xml, const std::string& camera);

// MuJoCo renders through OpenGL: a W×H image with focal length f = (H/2) / tan(fovy/2) (robosuite's
// get_camera_intrinsic_matrix) and the principal point at the image centre, which robosuite writes as
// (W/2, H/2) with pixel centres at +0.5. In the OpenCV convention that centre is ((W − 1)/2, (H − 1)/2).
PinholeIntrinsics intrinsics_from_mujoco_fovy(double fovy_deg, int width, int height);

}  // namespace xwam::data
