#include "app/studio/Exporter.h"

#include <QFile>
#include <QPainter>
#include <QSaveFile>
#include <algorithm>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/data/VideoWriter.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/SequenceFusion.h"
#include "widgets/EpisodeImages.h"

namespace xwam::studio {

namespace {
// The episode frame (loaded range) of predicted frame k, clamped into the episode.
int episode_frame(const data::Episode& episode, const geometry::Rollout& rollout, int k) {
  return std::clamp(rollout.frame_indices[k] - episode.first_frame, 0, episode.num_frames - 1);
}

QImage recorded_rgb(const data::Episode& episode, const geometry::RolloutView& view, int t) {
  const int c = episode.camera_index(view.camera);
  return c < 0 ? QImage() : widgets::rgb_image(episode, c, t);
}
}  // namespace

void export_rollout_frames(const QString& dir, const geometry::Rollout& rollout) {
  OutputDir target(dir.toStdString(), "rollout", {false, ""});
  geometry::write_rollout(target.path(), rollout);
  target.commit();
}

void export_ply_sequence(const QString& dir, const data::Episode& episode, const geometry::Rollout& rollout) {
  const geometry::CloudSequence clouds = geometry::fuse_predicted(episode, rollout, geometry::FusionOptions{});
  OutputDir target(dir.toStdString(), "clouds", {false, ""});
  geometry::write_cloud_directory(target.path(), clouds);
  target.commit();
}

void export_metrics_json(const QString& path, const geometry::EvaluationReport& report) {
  QSaveFile out(path);
  const QByteArray text = QByteArray::fromStdString(geometry::evaluation_json(report)) + "\n";
  if (!out.open(QIODevice::WriteOnly) || out.write(text) < 0 || !out.commit())
    throw Error(path.toStdString(), "cannot write: " + out.errorString().toStdString());
}

QImage side_by_side_frame(const data::Episode& episode, const geometry::Rollout& rollout, int k) {
  const int t = episode_frame(episode, rollout, k);
  int cell_w = 0, cell_h = 0;
  for (const auto& view : rollout.views) {
    const int c = episode.camera_index(view.camera);
    const int w = c >= 0 ? episode.cameras[c].width : view.width, h = c >= 0 ? episode.cameras[c].height : view.height;
    cell_w = std::max(cell_w, w), cell_h = std::max(cell_h, h);
  }
  // Even sizes for 4:2:0 video.
  QImage out((2 * cell_w + 1) & ~1, (cell_h * static_cast<int>(rollout.views.size()) + 1) & ~1, QImage::Format_RGB888);
  out.fill(Qt::black);
  QPainter p(&out);
  for (size_t v = 0; v < rollout.views.size(); ++v) {
    const auto& view = rollout.views[v];
    const QRect left(0, static_cast<int>(v) * cell_h, cell_w, cell_h), right(cell_w, static_cast<int>(v) * cell_h, cell_w, cell_h);
    const QImage rec = recorded_rgb(episode, view, t);
    if (!rec.isNull()) p.drawImage(left, rec);
    const QImage pred = widgets::rgb_image(view, k);
    if (!pred.isNull()) p.drawImage(right, pred);
  }
  return out;
}

void export_video(const QString& mp4, const data::Episode& episode, const geometry::Rollout& rollout, double fps) {
  if (rollout.num_frames() == 0) throw Error(mp4.toStdString(), "the rollout has no predicted frames");
  const QImage first = side_by_side_frame(episode, rollout, 0);
  data::VideoOptions options;
  options.fps = fps;
  data::VideoWriter writer(mp4.toStdString(), first.width(), first.height(), options);
  for (int k = 0; k < rollout.num_frames(); ++k) {
    QImage frame = k == 0 ? first : side_by_side_frame(episode, rollout, k);
    // Tightly packed rows for the writer.
    std::vector<uint8_t> rgb(static_cast<size_t>(frame.width()) * frame.height() * 3);
    for (int y = 0; y < frame.height(); ++y)
      std::memcpy(rgb.data() + static_cast<size_t>(y) * frame.width() * 3, frame.constScanLine(y), frame.width() * 3);
    writer.add(rgb.data());
  }
  writer.finish();
}

QImage contact_sheet(const data::Episode& episode, const geometry::Rollout& rollout) {
  // Columns: predicted frames; rows: per view, recorded over predicted RGB, then predicted depth.
  const int K = rollout.num_frames(), V = static_cast<int>(rollout.views.size());
  const int cell = 128, label_w = 150, header_h = 22, gap = 2;
  QImage sheet(label_w + K * (cell + gap), header_h + V * 3 * (cell + gap), QImage::Format_RGB888);
  sheet.fill(QColor(24, 24, 26));
  QPainter p(&sheet);
  p.setPen(QColor(220, 220, 220));
  for (int k = 0; k < K; ++k)
    p.drawText(QRect(label_w + k * (cell + gap), 0, cell, header_h), Qt::AlignCenter,
               QString("frame %1").arg(rollout.frame_indices[k] - episode.first_frame));
  for (int v = 0; v < V; ++v) {
    const auto& view = rollout.views[v];
    const int c = episode.camera_index(view.camera);
    const auto range = c >= 0 ? widgets::depth_range(episode, c) : std::pair<float, float>{0.f, 1.f};
    const char* rows[] = {"recorded", "predicted", "predicted depth"};
    for (int r = 0; r < 3; ++r) {
      const int y = header_h + (3 * v + r) * (cell + gap);
      p.drawText(QRect(6, y, label_w - 12, cell), Qt::AlignVCenter | Qt::AlignLeft,
                 QString("%1\n%2").arg(QString::fromStdString(view.camera), rows[r]));
      for (int k = 0; k < K; ++k) {
        const QImage img = r == 0   ? recorded_rgb(episode, view, episode_frame(episode, rollout, k))
                           : r == 1 ? widgets::rgb_image(view, k)
                                    : widgets::depth_image(view, k, range.first, range.second);
        if (img.isNull()) continue;
        const QSize fitted = img.size().scaled(cell, cell, Qt::KeepAspectRatio);
        const QRect target(label_w + k * (cell + gap) + (cell - fitted.width()) / 2, y + (cell - fitted.height()) / 2,
                           fitted.width(), fitted.height());
        p.drawImage(target, img);
      }
    }
  }
  return sheet;
}

void export_contact_sheet(const QString& png, const data::Episode& episode, const geometry::Rollout& rollout) {
  if (!contact_sheet(episode, rollout).save(png, "PNG")) throw Error(png.toStdString(), "cannot write the PNG");
}

}  // namespace xwam::studio
