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
  view_->reframe();  // a new scene: framed and sized as `xwam render` does once its cloud is in
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

namespace {
// What-if in one cloud: A's and B's points of each frame together, each blended half-way towards its
// own colour (A orange, B violet) so both stay recognisable; errors and source views are kept.
render::PointSequence what_if_sequence(const render::PointSequence& a, const render::PointSequence& b) {
  render::PointSequence out = a;
  const uint8_t tint_a[3] = {255, 150, 40}, tint_b[3] = {190, 90, 255};
  auto tint = [](std::vector<uint8_t>& rgb, size_t from, const uint8_t* c) {
    for (size_t i = from; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>((rgb[i] + c[i % 3]) / 2);
  };
  for (size_t f = 0; f < out.frames.size(); ++f) {
    render::PointFrame& frame = out.frames[f];
    tint(frame.rgb, 0, tint_a);
    if (f >= b.frames.size()) continue;
    const render::PointFrame& other = b.frames[f];
    // Optional arrays stay consistent: kept only when both clouds have them.
    const bool views = !frame.view.empty() && !other.view.empty(), errors = !frame.error.empty() && !other.error.empty();
    frame.xyz.insert(frame.xyz.end(), other.xyz.begin(), other.xyz.end());
    const size_t from = frame.rgb.size();
    frame.rgb.insert(frame.rgb.end(), other.rgb.begin(), other.rgb.end());
    tint(frame.rgb, from, tint_b);
    if (views) frame.view.insert(frame.view.end(), other.view.begin(), other.view.end());
    else frame.view.clear();
    if (errors) frame.error.insert(frame.error.end(), other.error.begin(), other.error.end());
    else frame.error.clear();
  }
  out.source = "predicted";
  return out;
}
}  // namespace

void CloudView::show_what_if(const geometry::RolloutClouds& a, const geometry::RolloutClouds& b) {
  if (!a.predicted || !b.predicted) return show_rollout(a);
  shows_rollout_ = true;
  ++generation_;
  auto both = std::make_shared<const render::PointSequence>(
      what_if_sequence(bridge::to_point_sequence(*a.predicted), bridge::to_point_sequence(*b.predicted)));
  set_sequences(both, a.recorded ? std::make_shared<const render::PointSequence>(bridge::to_point_sequence(*a.recorded)) : nullptr);
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
