#include "engine/sampling/DenoisePlan.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/sampling/FlowSchedule.h"

namespace xwam::sampling {

Mode mode_from_string(const std::string& name) {
  if (name == "xwam") return Mode::XWam;
  if (name == "sync") return Mode::Sync;
  if (name == "fastwam") return Mode::FastWam;
  if (name == "action-conditioned") return Mode::ActionConditioned;
  throw Error("unknown mode '" + name + "' (expected xwam, sync, fastwam or action-conditioned)");
}

std::string to_string(Mode mode) {
  switch (mode) {
    case Mode::XWam: return "xwam";
    case Mode::Sync: return "sync";
    case Mode::FastWam: return "fastwam";
    case Mode::ActionConditioned: return "action-conditioned";
  }
  return "?";
}

DenoisePlan DenoisePlan::make(const PlanOptions& o) {
  if (o.steps_action < 1 || o.steps_video < 1) throw Error("step counts must be at least 1");
  DenoisePlan plan;
  plan.options = o;
  const FlowSchedule video = FlowSchedule::make(o.steps_video, o.shift);
  const FlowSchedule action = FlowSchedule::make(o.mode == Mode::Sync ? o.steps_video : o.steps_action, o.shift);

  switch (o.mode) {
    case Mode::XWam:
    case Mode::Sync: {
      if (o.mode == Mode::XWam && o.steps_action > o.steps_video)
        throw Error("xwam mode needs steps-action <= steps-video (the action must finish first), got " +
                    std::to_string(o.steps_action) + " > " + std::to_string(o.steps_video));
      const int n = video.steps();
      const bool state_with_action = o.state_schedule == StateSchedule::WithAction;
      for (int i = 0; i < n; ++i) {
        PlannedCall c;
        c.index = i;
        c.video_t = video.timesteps[i];
        c.video_step = true;
        c.action_step = i < action.steps();
        c.action_t = c.action_step ? action.timesteps[i] : 0.0;
        c.state_step = state_with_action ? c.action_step : true;
        c.state_t = state_with_action ? c.action_t : c.video_t;
        c.action_final_after = i == action.steps() - 1;
        c.depth = i == n - 1;
        plan.calls.push_back(c);
      }
      plan.action_ready_call = action.steps() - 1;
      break;
    }
    case Mode::FastWam: {
      plan.future_video = false;
      for (int i = 0; i < action.steps(); ++i) {
        PlannedCall c;
        c.index = i;
        c.action_step = c.state_step = true;
        c.action_t = c.state_t = action.timesteps[i];
        c.action_final_after = i == action.steps() - 1;
        plan.calls.push_back(c);
      }
      plan.action_ready_call = action.steps() - 1;
      break;
    }
    case Mode::ActionConditioned: {
      for (int i = 0; i < video.steps(); ++i) {
        PlannedCall c;
        c.index = i;
        c.video_step = c.state_step = true;
        c.video_t = c.state_t = video.timesteps[i];
        c.depth = i == video.steps() - 1;
        plan.calls.push_back(c);
      }
      plan.action_ready_call = -1;
      break;
    }
  }
  // The invariant the method rests on: video is never less noisy than the action at any call.
  if (plan.future_video) {
    for (const auto& c : plan.calls)
      if (c.video_t < c.action_t)
        throw Error("internal: plan violates t_video >= t_action at call " + std::to_string(c.index));
  }
  return plan;
}

}  // namespace xwam::sampling
