// Exports of a rollout next to its recorded episode: PNG frames (the rollout directory), a PLY
// sequence of the fused predicted clouds, metrics JSON, a contact sheet PNG and an mp4 with recorded
// and predicted side by side. Plain functions, run by the window on a worker thread.
#pragma once
#include <QImage>
#include <QString>

#include "engine/data/Episode.h"
#include "engine/geometry/Evaluation.h"
#include "engine/geometry/Rollout.h"

namespace xwam::studio {

enum class ExportKind { RolloutFrames, PlySequence, MetricsJson, ContactSheet, Video };

// Each throws xwam::Error naming the path on failure.
void export_rollout_frames(const QString& dir, const geometry::Rollout& rollout);
void export_ply_sequence(const QString& dir, const data::Episode& episode, const geometry::Rollout& rollout);
void export_metrics_json(const QString& path, const geometry::EvaluationReport& report);
void export_contact_sheet(const QString& png, const data::Episode& episode, const geometry::Rollout& rollout);
void export_video(const QString& mp4, const data::Episode& episode, const geometry::Rollout& rollout, double fps);

// One comparison image per predicted frame k: per model view a row [recorded RGB | predicted RGB],
// predicted scaled to the recorded size. Used by the video; the contact sheet lays frames out in columns.
QImage side_by_side_frame(const data::Episode& episode, const geometry::Rollout& rollout, int k);
QImage contact_sheet(const data::Episode& episode, const geometry::Rollout& rollout);

}  // namespace xwam::studio
