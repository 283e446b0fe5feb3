// Policy calls on a loaded checkpoint, as the released X-WAM policy server makes them
// (evaluation/policy_server.py): the request's views preprocessed (ViewPreprocess.h) and its states
// normalized with the checkpoint's q01/q99, the action chunk sampled action-first with the request's
// seed and returned the moment it is final (no video, no depth), un-normalized; with single-arm
// statistics the right arm's states are zeroed and only the 7 left-arm actions are returned, the
// gripper action negated. Bad requests are answered with an error result, never an exception.
//
//   PolicyService service(engine, {});
//   std::string result = service.answer(request_bytes, item);   // a pickle: docs/serve.md
// Thread safety: one call at a time.
#pragma once
#include <functional>
#include <string>

#include "engine/data/Episode.h"
#include "engine/data/NormStats.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/serve/PolicyRequest.h"
#include "engine/serve/PolicyResult.h"
#include "engine/serve/PolicyWorker.h"

namespace xwam::serve {

struct ServiceOptions {
  pipeline::Mode mode = pipeline::Mode::XWam;  // xwam or fastwam
  int steps_action = 10, steps_video = 50;     // the released server's action_denoise_steps / denoise_steps
  RequestLimits limits;
};

// One call, as the log line and the recorder see it.
struct ServedCall {
  WorkItem item;
  PolicyRequest request;         // views/video empty when the request could not be read
  std::string error;             // empty when served
  PolicyResult result;
  uint32_t seed = 0;
  double action_ms = 0;          // time to the action chunk (encoding the conditions included)
  double total_ms = 0;           // reading the request to writing the result
};

// What the engine saw and predicted in a served call: the request, the observation as a one-frame
// episode, the rollout request and its result.
using PredictionHook = std::function<void(const PolicyRequest&, const data::Episode&, const pipeline::RolloutRequest&,
                                          const pipeline::RolloutResult&)>;

// True for statistics without a right arm: the released server's `proprio_right_ee_xyz` absent (its
// position quantiles left at the identity −1…1) or constant over the training data.
bool single_arm_statistics(const data::NormStats& stats);

class PolicyService {
 public:
  PolicyService(pipeline::Engine& engine, ServiceOptions options);

  // Request bytes → result bytes ({"proprios", "actions"} or {"error"}). Never throws for bad input.
  std::string answer(const std::string& request, const WorkItem& item = {});
  // The prediction of a decoded request (no pickles): the in-process baseline of `xwam bench serve`.
  // Throws xwam::Error when the request does not fit the checkpoint.
  PolicyResult predict(const PolicyRequest& request);

  bool single_arm() const { return single_arm_; }
  // Called after every answered call, served or refused (the log line).
  std::function<void(const ServedCall&)> on_served;
  // Called in every prediction (--record).
  PredictionHook on_prediction;

 private:
  PolicyResult predict(const PolicyRequest& request, ServedCall& call);

  pipeline::Engine& engine_;
  ServiceOptions options_;
  pipeline::ModelInputs inputs_;
  bool single_arm_ = false;
};

}  // namespace xwam::serve
