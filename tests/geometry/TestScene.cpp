// Ray-cast analytic tabletop episodes for the geometry tests.
#include "TestScene.h"

#include <cmath>

#include "engine/data/StateActionCodec.h"

namespace xwam::test {

Eigen::Vector3d sphere_centre(int t) { return {-0.1 + 0.05 * t, 0.05, kSphereRadius}; }

Eigen::Isometry3d ee_pose(int t) {
  // Gripper pointing down (its z along −world z), drifting along y.
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.linear() = Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitX()).toRotationMatrix() *
               Eigen::AngleAxisd(0.1 * t, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(0.0, -0.05 + 0.02 * t, 0.55);
  return T;
}

Eigen::Matrix4d wrist_hand_eye() {
  // Camera 5 cm behind the flange along −x of the gripper, tilted 10° so it looks slightly forward.
  Eigen::Isometry3d T = Eigen::Isometry3d::Identity();
  T.linear() = Eigen::AngleAxisd(0.17, Eigen::Vector3d::UnitY()).toRotationMatrix();
  T.translation() = Eigen::Vector3d(-0.05, 0.0, 0.02);
  return T.matrix();
}

namespace {
Eigen::Matrix4d look_at(const Eigen::Vector3d& eye, const Eigen::Vector3d& target) {
  const Eigen::Vector3d z = (target - eye).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix4d T = Eigen::Matrix4d::Identity();
  T.block<3, 1>(0, 0) = x, T.block<3, 1>(0, 1) = y, T.block<3, 1>(0, 2) = z, T.block<3, 1>(0, 3) = eye;
  return T;
}

// Ray-casts one camera at frame t into the episode's arrays.
void render(const data::CameraInfo& cam, const Eigen::Matrix4d& T_world_cam, int t, uint8_t* rgb, float* depth) {
  const Eigen::Matrix3d R = T_world_cam.topLeftCorner<3, 3>();
  const Eigen::Vector3d o = T_world_cam.topRightCorner<3, 1>();
  const Eigen::Vector3d centre = sphere_centre(t);
  const auto& K = *cam.intrinsics;
  for (int j = 0; j < cam.height; ++j)
    for (int i = 0; i < cam.width; ++i) {
      const size_t px = static_cast<size_t>(j) * cam.width + i;
      const Eigen::Vector3d d = R * Eigen::Vector3d((i - K.cx) / K.fx, (j - K.cy) / K.fy, 1.0);
      double s = d.z() < 0 ? -o.z() / d.z() : -1;
      bool sphere = false;
      const Eigen::Vector3d oc = o - centre;
      const double a = d.squaredNorm(), b = 2 * oc.dot(d), c = oc.squaredNorm() - kSphereRadius * kSphereRadius;
      const double disc = b * b - 4 * a * c;
      if (disc >= 0) {
        const double hit = (-b - std::sqrt(disc)) / (2 * a);
        if (hit > 0 && (s < 0 || hit < s)) s = hit, sphere = true;
      }
      const Eigen::Vector3d p = o + s * d;
      const bool on_table = s > 0 && std::abs(p.x()) <= kTableHalf && std::abs(p.y()) <= kTableHalf;
      depth[px] = (sphere || on_table) ? static_cast<float>(s) : 0.0f;
      const bool checker = (static_cast<int>(std::floor(p.x() * 20)) + static_cast<int>(std::floor(p.y() * 20))) & 1;
      rgb[3 * px + 0] = sphere ? 230 : (checker ? 180 : 100);
      rgb[3 * px + 1] = sphere ? 30 : (checker ? 170 : 95);
      rgb[3 * px + 2] = sphere ? 30 : (checker ? 160 : 90);
    }
}
}  // namespace

data::Episode make_tabletop(int frames, int width, int height) {
  data::Episode ep;
  ep.name = "tabletop";
  ep.instruction = "look at the ball";
  ep.fps = 10;
  ep.num_frames = ep.total_frames = frames;
  const data::PinholeIntrinsics K{0.9 * width, 0.9 * width, (width - 1) / 2.0, (height - 1) / 2.0};
  data::CameraInfo main{"main", width, height, K, data::CameraMount::Fixed, look_at({0.0, -0.9, 0.8}, {0, 0, 0}), {}, 0, true};
  data::CameraInfo side{"side", width, height, K, data::CameraMount::Fixed, look_at({0.9, 0.2, 0.7}, {0, 0, 0}), {}, 0, true};
  data::CameraInfo wrist{"wrist", width, height, K, data::CameraMount::Wrist, {}, wrist_hand_eye(), 0, true};
  ep.cameras = {main, side, wrist};

  ep.states.assign(static_cast<size_t>(frames) * data::kStateDim, 0.0f);
  ep.actions.assign(static_cast<size_t>(frames) * data::kActionDim, 0.0f);
  for (int d = 0; d < data::kStatePerArm; ++d) ep.state_mask[d] = 1;
  for (int d = 0; d < data::kActionPerArm; ++d) ep.action_mask[d] = 1;
  for (int t = 0; t < frames; ++t) {
    data::encode_state({ee_pose(t), 0.04}, &ep.states[static_cast<size_t>(t) * data::kStateDim]);
    data::encode_action({ee_pose(t), 0.04}, {ee_pose(t + 1), 0.04}, &ep.actions[static_cast<size_t>(t) * data::kActionDim]);
  }

  const size_t pixels = static_cast<size_t>(width) * height;
  ep.rgb.assign(3, std::vector<uint8_t>(frames * pixels * 3));
  ep.depth.assign(3, std::vector<float>(frames * pixels));
  for (int t = 0; t < frames; ++t)
    for (int c = 0; c < 3; ++c) {
      const auto& cam = ep.cameras[c];
      const Eigen::Matrix4d pose =
          cam.mount == data::CameraMount::Fixed ? *cam.T_world_cam : Eigen::Matrix4d(ee_pose(t).matrix() * *cam.T_ee_cam);
      render(cam, pose, t, &ep.rgb[c][t * pixels * 3], &ep.depth[c][t * pixels]);
    }
  return ep;
}

double surface_distance(const Eigen::Vector3d& p, int t) {
  const double table = std::abs(p.z());
  const double sphere = std::abs((p - sphere_centre(t)).norm() - kSphereRadius);
  return std::min(table, sphere);
}

}  // namespace xwam::test
