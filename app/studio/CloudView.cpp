#include "app/studio/CloudView.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>

#include "app/bridge/CloudConversion.h"
#include "engine/geometry/SequenceFusion.h"
#include "widgets/TimeModel.h"
#include "widgets/VulkanViewport.h"

namespace xwam::studio {

CloudView::CloudView(widgets::VulkanViewport* view, widgets::TimeModel* time, QObject* parent)
    : QObject(parent), view_(view), time_(time) {
  connect(time_, &widgets::TimeModel::frame_changed, this, &CloudView::sync);
}

void CloudView::show_episode(std::shared_ptr<const data::Episode> episode) {
  episode_ = std::move(episode);
  shows_rollout_ = false;
  episode_cloud_.reset();
  view_->set_sequences(nullptr, nullptr);
  const int generation = ++generation_;
  using Cloud = std::shared_ptr<const render::PointSequence>;
  auto* watcher = new QFutureWatcher<Cloud>(this);
  connect(watcher, &QFutureWatcher<Cloud>::finished, this, [this, watcher, generation] {
    const Cloud cloud = watcher->result();
    watcher->deleteLater();
    // A newer episode or a rollout took the view meanwhile.
    if (generation != generation_ || shows_rollout_ || !cloud) return;
    episode_cloud_ = cloud;
    set_sequences(nullptr, episode_cloud_);
  });
  watcher->setFuture(QtConcurrent::run([episode = episode_]() -> Cloud {
    // Every other pixel: the view stays light, the shape is the same. No depth or calibration: no cloud.
    try {
      geometry::FusionOptions options;
      options.stride = 2;
      std::vector<int> frames(episode->num_frames);
      for (int t = 0; t < episode->num_frames; ++t) frames[t] = t;
      return std::make_shared<const render::PointSequence>(
          bridge::to_point_sequence(geometry::fuse_recorded(*episode, frames, options)));
    } catch (const std::exception&) {
      return nullptr;
    }
  }));
}

// Frames follow the episode's (as the recorded cloud's do): frame t holds one marker at the predicted
// position of the latest predicted state at or before t, and the trajectory lists them.
void CloudView::show_path(const pipeline::ActionChunk& chunk) {
  const size_t H = chunk.states.size() / data::kStateDim;
  if (shows_rollout_ || H == 0 || chunk.state_frames.size() != H || !episode_) return;
  int arm = 0;
  while (arm < data::kArms && !episode_->arm_present(arm)) ++arm;
  if (arm == data::kArms) return;
  auto path = std::make_shared<render::PointSequence>();
  size_t h = 0;
  for (int t = 0; t < episode_->num_frames; ++t) {
    while (h + 1 < H && chunk.state_frames[h + 1] - episode_->first_frame <= t) ++h;
    const float* s = chunk.states.data() + h * data::kStateDim + arm * data::kStatePerArm;
    path->trajectory.push_back({s[0], s[1], s[2]});
    path->frames.push_back(render::PointFrame{{s[0], s[1], s[2]}, {255, 160, 60}, {}, {}});
  }
  path->source = "predicted";
  set_sequences(path, episode_cloud_);
}

void CloudView::show_rollout(const geometry::RolloutClouds& clouds) {
  if (!clouds.predicted) return;
  shows_rollout_ = true;
  ++generation_;
  set_sequences(std::make_shared<const render::PointSequence>(bridge::to_point_sequence(*clouds.predicted)),
                clouds.recorded ? std::make_shared<const render::PointSequence>(bridge::to_point_sequence(*clouds.recorded))
                                : nullptr);
}

void CloudView::back_to_episode() {
  if (!shows_rollout_) return;
  shows_rollout_ = false;
  set_sequences(nullptr, episode_cloud_);
}

// The renderer checks the sequences; a bad one is reported, never fatal.
void CloudView::set_sequences(std::shared_ptr<const render::PointSequence> predicted,
                              std::shared_ptr<const render::PointSequence> recorded) {
  try {
    view_->set_sequences(std::move(predicted), std::move(recorded));
  } catch (const std::exception& e) {
    view_->set_sequences(nullptr, nullptr);
    emit failed(tr("3D view: %1").arg(QString::fromStdString(e.what())));
  }
  sync();
}

// The view holds either the episode's frames or the rollout's.
void CloudView::sync() { view_->set_frame(shows_rollout_ ? std::max(0, time_->predicted_index()) : time_->frame()); }

}  // namespace xwam::studio
