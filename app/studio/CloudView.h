// What the 3D view shows, and when: the recorded episode fused (on a worker) while no prediction is
// there, the predicted end-effector path as soon as the action chunk is final, then the predicted cloud
// over the recorded one with per-point errors. It follows the TimeModel: episode frames for the
// recording, the predicted frame at or before the current frame for a rollout.
#pragma once
#include <QObject>
#include <memory>

#include "engine/data/Episode.h"
#include "engine/geometry/Comparison.h"
#include "engine/pipeline/api/RolloutTypes.h"
#include "render/SceneData.h"

namespace xwam::widgets {
class TimeModel;
class VulkanViewport;
}  // namespace xwam::widgets

namespace xwam::studio {

class CloudView : public QObject {
  Q_OBJECT
 public:
  CloudView(widgets::VulkanViewport* view, widgets::TimeModel* time, QObject* parent = nullptr);

  void show_episode(std::shared_ptr<const data::Episode> episode);  // fuses the recording on a worker
  void show_path(const pipeline::ActionChunk& chunk);               // over the recording
  void show_rollout(const geometry::RolloutClouds& clouds);
  // What-if: A's and B's predicted clouds over the recording, A tinted orange, B violet.
  void show_what_if(const geometry::RolloutClouds& a, const geometry::RolloutClouds& b);
  void back_to_episode();                                            // drops a shown rollout
  bool shows_rollout() const { return shows_rollout_; }

 signals:
  void failed(const QString& message);  // a sequence the renderer refused

 private:
  void set_sequences(std::shared_ptr<const render::PointSequence> predicted,
                     std::shared_ptr<const render::PointSequence> recorded);
  void sync();

  widgets::VulkanViewport* view_;
  widgets::TimeModel* time_;
  std::shared_ptr<const data::Episode> episode_;
  std::shared_ptr<const render::PointSequence> episode_cloud_;
  bool shows_rollout_ = false;
  int generation_ = 0;  // drops fusions of an episode that is no longer shown
};

}  // namespace xwam::studio
