#include "engine/pipeline/api/RolloutRecord.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace xwam::pipeline {

std::string rollout_record_json(const RolloutRequest& req, const RolloutResult& result, const RolloutProvenance& p) {
  const auto& t = result.timings;
  const nlohmann::json j = {
      {"checkpoint", p.checkpoint}, {"scene", result.rollout.scene}, {"episode", result.rollout.episode},
      {"episode_name", p.episode_name}, {"instruction", p.instruction}, {"mode", mode_name(req.mode)},
      {"steps_action", req.steps_action}, {"steps_video", req.steps_video}, {"seed", req.seed},
      {"solver", solver_name(req.solver)}, {"guidance_scale", req.guidance_scale},
      {"start_frame", result.rollout.start_frame}, {"given_actions", !req.given_actions.empty()},
      {"device", p.device}, {"dtype", p.dtype}, {"threads", p.threads},
      {"timings_ms", {{"encode", t.encode_ms}, {"action", t.action_ms}, {"video", t.video_ms}, {"decode", t.decode_ms},
                      {"total", t.total_ms}}},
      {"network_calls", t.network_calls}};
  return j.dump(2);
}

std::string save_rollout(const std::string& out, const RolloutResult& result, const RolloutRequest& request,
                         const RolloutProvenance& provenance, const OutputOptions& options) {
  OutputDir target(out, "rollout", options);
  geometry::write_rollout(target.path(), result.rollout);
  const std::string record = (std::filesystem::path(target.path()) / "rollout.json").string();
  std::ofstream file(record);
  file << rollout_record_json(request, result, provenance) << "\n";
  if (!file.flush()) throw Error(out + "/rollout.json", "cannot write (disk full?)");
  file.close();
  return target.commit();
}

}  // namespace xwam::pipeline
