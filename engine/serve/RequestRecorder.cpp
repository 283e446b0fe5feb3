#include "engine/serve/RequestRecorder.h"

#include <cstdio>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/pipeline/api/RolloutRecord.h"

namespace xwam::serve {
namespace fs = std::filesystem;

RequestRecorder::RequestRecorder(std::string dir, const pipeline::Engine& engine) : dir_(std::move(dir)), engine_(engine) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) throw Error(dir_, "cannot create the record folder: " + ec.message());
}

void RequestRecorder::record(const PolicyRequest& request, const data::Episode& observation,
                             const pipeline::RolloutRequest& rollout_request, const pipeline::RolloutResult& result) const {
  const fs::path folder = fs::path(dir_) / ("rank" + std::to_string(request.env_rank) + "_rollout" + std::to_string(request.rollout_id));
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(folder.string(), "cannot create it: " + ec.message());
  char step[32];
  std::snprintf(step, sizeof step, "step%06lld", static_cast<long long>(request.step_id));
  const std::string episode_file = (folder / (std::string(step) + ".h5")).string();
  if (fs::exists(episode_file)) fs::rename(episode_file, episode_file + ".old", ec);

  data::EpisodeFileWriter writer(episode_file);
  writer.add(observation);
  writer.commit();

  pipeline::RolloutResult kept = result;
  kept.rollout.scene = episode_file;
  kept.rollout.episode = 0;
  OutputOptions options;
  options.force = true;  // a repeated call moves the earlier record aside (never deleted)
  pipeline::save_rollout((folder / step).string(), kept, rollout_request, engine_.provenance(observation, rollout_request),
                         options);
}

}  // namespace xwam::serve
