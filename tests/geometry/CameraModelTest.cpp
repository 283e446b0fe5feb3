// Camera model: pixel-centre convention, projection round trip, wrist posing, refusals naming the camera.
#include "engine/geometry/CameraModel.h"

#include <gtest/gtest.h>

#include "TestScene.h"
#include "engine/core/Error.h"

using namespace xwam;

TEST(CameraModel, UnprojectThenProjectReturnsThePixelCentre) {
  const data::Episode ep = test::make_tabletop(1);
  const auto cams = geometry::recorded_cameras(ep, 0);
  for (const auto& cam : cams) {
    const Eigen::Vector3d p = cam.unproject(7, 11, 0.9);
    const Eigen::Vector3d uvz = cam.project(p);
    EXPECT_NEAR(uvz.x(), 7.0, 1e-9) << cam.name;
    EXPECT_NEAR(uvz.y(), 11.0, 1e-9) << cam.name;
    EXPECT_NEAR(uvz.z(), 0.9, 1e-9) << cam.name;
  }
}

TEST(CameraModel, PrincipalPointPixelLooksAlongTheOpticalAxis) {
  geometry::CameraModel cam;
  cam.width = 4, cam.height = 2, cam.fx = cam.fy = 2, cam.cx = 2, cam.cy = 1;
  // OpenCV: pixel (1, 0) is centred on (1, 0): x = (1 − 2)/2·z, y = (0 − 1)/2·z.
  const Eigen::Vector3d p = cam.unproject(1, 0, 2.0);
  EXPECT_DOUBLE_EQ(p.x(), -1.0);
  EXPECT_DOUBLE_EQ(p.y(), -1.0);
  EXPECT_DOUBLE_EQ(p.z(), 2.0);
}

TEST(CameraModel, WristCameraIsEndEffectorPoseTimesHandEye) {
  const data::Episode ep = test::make_tabletop(3);
  for (int t = 0; t < 3; ++t) {
    const Eigen::Matrix4d expected = test::ee_pose(t).matrix() * test::wrist_hand_eye();
    const Eigen::Matrix4d got = geometry::camera_pose_from_state(ep.cameras[2], ep.state(t));
    EXPECT_LT((got - expected).cwiseAbs().maxCoeff(), 1e-6) << "frame " << t;
    EXPECT_LT((geometry::recorded_cameras(ep, t)[2].T_world_cam - expected).cwiseAbs().maxCoeff(), 1e-6);
  }
  // Fixed cameras ignore the state.
  EXPECT_EQ(geometry::camera_pose_from_state(ep.cameras[0], ep.state(2)), *ep.cameras[0].T_world_cam);
}

TEST(CameraModel, MissingCalibrationIsRefusedNamingTheCamera) {
  data::Episode ep = test::make_tabletop(1);
  ep.cameras[1].T_world_cam.reset();
  try {
    geometry::recorded_cameras(ep, 0);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera side"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("extrinsic"), std::string::npos) << e.what();
  }
  ep = test::make_tabletop(1);
  ep.cameras[2].intrinsics.reset();
  try {
    geometry::recorded_cameras(ep, 0);
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("camera wrist"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("intrinsic"), std::string::npos) << e.what();
  }
  ep = test::make_tabletop(1);
  ep.cameras[2].T_ee_cam.reset();
  EXPECT_THROW(geometry::recorded_cameras(ep, 0), Error);
}
