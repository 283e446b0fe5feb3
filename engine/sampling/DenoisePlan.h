// The plan of network calls for one rollout: which timestep each modality sees at each call, which
// solvers advance, when the action chunk is final, and when the depth branch must run.
#pragma once
#include <string>
#include <vector>

namespace xwam::sampling {

enum class Mode {
  XWam,               // asynchronous: actions in T_a steps (then clean context), video to T_O steps
  Sync,               // every modality on the T_O schedule: the slow baseline
  FastWam,            // no future video: T_a action steps on the clean context only
  ActionConditioned,  // actions given (t = 0 throughout); video, state and depth generated
};
Mode mode_from_string(const std::string& name);  // xwam | sync | fastwam | action-conditioned
std::string to_string(Mode mode);

// Which schedule the proprio state tokens follow. The released X-WAM code denoises them with the
// action (10 steps); the paper's training ties them to the video timestep.
enum class StateSchedule { WithAction, WithVideo };

struct PlannedCall {
  int index = 0;
  // Network timesteps (0..1000; 0 = clean) per modality at this call.
  double video_t = 0, state_t = 0, action_t = 0;
  // Whether each modality's solver advances with this call's prediction.
  bool video_step = false, state_step = false, action_step = false;
  bool depth = false;               // run the depth branch (only the final video call needs it)
  bool action_final_after = false;  // the action chunk is complete once this call's step is applied
};

struct PlanOptions {
  Mode mode = Mode::XWam;
  int steps_action = 10;
  int steps_video = 50;
  double shift = 5.0;
  StateSchedule state_schedule = StateSchedule::WithAction;
};

struct DenoisePlan {
  PlanOptions options;
  std::vector<PlannedCall> calls;
  bool future_video = true;  // false in fastwam: the network sees no future video tokens
  int action_ready_call = -1;  // index of the call after which the action is final (-1: given)

  // Builds and checks the plan: throws xwam::Error for impossible requests (e.g. T_a > T_O in xwam).
  static DenoisePlan make(const PlanOptions& options);
};

}  // namespace xwam::sampling
