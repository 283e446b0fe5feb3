#include "engine/data/importers/DeriveActions.h"

#include "engine/data/StateActionCodec.h"

namespace xwam::data {

void derive_actions(Episode& ep) {
  ep.actions.assign(static_cast<size_t>(ep.num_frames) * kActionDim, 0.f);
  for (int arm = 0; arm < kArms; ++arm) {
    if (!ep.arm_present(arm)) continue;
    for (int t = 0; t + 1 < ep.num_frames; ++t) {
      const ArmPose now = arm_pose_from_state(ep.state(t) + arm * kStatePerArm);
      const ArmPose next = arm_pose_from_state(ep.state(t + 1) + arm * kStatePerArm);
      encode_action(now, next, ep.actions.data() + static_cast<size_t>(t) * kActionDim + arm * kActionPerArm);
    }
    for (int d = 0; d < kActionPerArm; ++d) ep.action_mask[arm * kActionPerArm + d] = 1;
  }
}

}  // namespace xwam::data
