// `xwam serve --record DIR`: every served call kept for review in the studio — the observation the
// engine saw as a one-frame episode file and the predicted chunk as a rollout folder beside it:
//   DIR/rank<E>_rollout<R>/step<S>.h5   (episode 0: the preprocessed views, the state, the instruction)
//   DIR/rank<E>_rollout<R>/step<S>/     (rollout: actions and states; docs/rollout-format.md)
// A call recorded again (the same env_rank, rollout_id and step_id) moves the earlier one aside.
#pragma once
#include <string>

#include "engine/data/Episode.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/serve/PolicyRequest.h"

namespace xwam::serve {

class RequestRecorder {
 public:
  // Creates `dir` when missing. Throws xwam::Error naming it when it cannot.
  RequestRecorder(std::string dir, const pipeline::Engine& engine);

  // Writes one call. Throws xwam::Error naming the file that could not be written.
  void record(const PolicyRequest& request, const data::Episode& observation, const pipeline::RolloutRequest& rollout_request,
              const pipeline::RolloutResult& result) const;

 private:
  std::string dir_;
  const pipeline::Engine& engine_;
};

}  // namespace xwam::serve
