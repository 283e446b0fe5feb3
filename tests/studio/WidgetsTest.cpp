// The studio's widgets alone, headless: action plot (shown dimensions, dragging a point, scale/offset),
// metrics table (mean, baseline, per-frame rows), camera grid with a rollout beside the recording, the
// what-if third column and the per-tile zoom.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <memory>

#include "widgets/ActionPlot.h"
#include "widgets/CameraGrid.h"
#include "widgets/EpisodeImages.h"
#include "widgets/ImageView.h"
#include "widgets/MetricsTable.h"

using namespace xwam;

namespace {

// One arm (mask 7 of 14 action dims), recorded action d at frame t = 0.01·d·t, flat frames.
std::shared_ptr<data::Episode> make_episode(int frames) {
  auto ep = std::make_shared<data::Episode>();
  ep->name = "plot";
  ep->num_frames = ep->total_frames = frames;
  data::CameraInfo cam;
  cam.name = "main";
  cam.width = 8;
  cam.height = 6;
  cam.has_depth = true;
  ep->cameras.push_back(cam);
  ep->rgb.push_back(std::vector<uint8_t>(static_cast<size_t>(frames) * 8 * 6 * 3, 50));
  ep->depth.push_back(std::vector<float>(static_cast<size_t>(frames) * 8 * 6, 1.0f));
  ep->states.assign(static_cast<size_t>(frames) * data::kStateDim, 0.f);
  ep->actions.assign(static_cast<size_t>(frames) * data::kActionDim, 0.f);
  for (int t = 0; t < frames; ++t)
    for (int d = 0; d < data::kActionDim; ++d) ep->actions[t * data::kActionDim + d] = 0.01f * d * t;
  for (int d = 0; d < data::kActionPerArm; ++d) ep->action_mask[d] = 1;
  for (int d = 0; d < data::kStatePerArm; ++d) ep->state_mask[d] = 1;
  return ep;
}

}  // namespace

TEST(ActionPlot, ShowsOnlyRealDimensionsAndDragsAPointUp) {
  widgets::ActionPlot plot;
  plot.resize(900, 300);
  plot.show();
  plot.set_recorded(make_episode(20));
  EXPECT_EQ(plot.dimensions().size(), 7u);  // the absent second arm is left out

  // Four predicted actions at steps 4..7, all zero.
  std::vector<float> actions(4 * data::kActionDim, 0.f);
  plot.set_predicted(actions, {4, 5, 6, 7}, {}, {});
  ASSERT_TRUE(plot.has_predicted());
  EXPECT_FALSE(plot.is_edited());

  QSignalSpy edited(&plot, &widgets::ActionPlot::edited);
  const QPoint from = plot.point_position(2, 3).toPoint();
  ASSERT_TRUE(plot.panel_rect(3).contains(from));
  QTest::mousePress(&plot, Qt::LeftButton, Qt::NoModifier, from);
  QTest::mouseMove(&plot, from - QPoint(0, 30));
  QTest::mouseRelease(&plot, Qt::LeftButton, Qt::NoModifier, from - QPoint(0, 30));
  EXPECT_GE(edited.count(), 1);
  EXPECT_TRUE(plot.is_edited());
  const float dragged = plot.edited_actions()[2 * data::kActionDim + 3];
  EXPECT_GT(dragged, 0.f);  // up is larger
  // Only that one value moved.
  for (size_t i = 0; i < actions.size(); ++i)
    if (i != 2 * data::kActionDim + 3) EXPECT_EQ(plot.edited_actions()[i], 0.f) << i;

  plot.scale_offset(3, 2.0, 0.5);
  EXPECT_FLOAT_EQ(plot.edited_actions()[2 * data::kActionDim + 3], dragged * 2 + 0.5f);
  EXPECT_FLOAT_EQ(plot.edited_actions()[0 * data::kActionDim + 3], 0.5f);
  plot.reset_edits();
  EXPECT_FALSE(plot.is_edited());

  // Mismatched rows and frames are not drawn from (no read past the end).
  plot.set_predicted(actions, {4, 5}, std::vector<float>(3, 0.f), {4});
  EXPECT_FALSE(plot.has_predicted());
  plot.set_series(widgets::ActionPlot::Series::States);
  plot.grab();
}

TEST(MetricsTable, MeanBaselineAndFrameRowsSelectFrames) {
  geometry::EvaluationReport report;
  report.prediction.mean.rgb_psnr = 25.5;
  report.prediction.mean.chamfer = 0.001234;
  report.copy_last.mean.rgb_psnr = 20.0;
  for (int f : {3, 6}) {
    geometry::FrameMetrics fm;
    fm.frame_index = f;
    fm.metrics.rgb_psnr = 20 + f;
    fm.metrics.rgb_ssim = 0.5;
    report.prediction.frames.push_back(fm);
  }
  report.prediction.frames[1].metrics.rgb_psnr = INFINITY;
  widgets::MetricsTable table;
  table.show();
  table.clear_report("running…");  // a note row spanning the table, replaced by the report
  EXPECT_EQ(table.columnSpan(0, 0), 8);
  table.set_report(report);
  EXPECT_EQ(table.columnSpan(0, 0), 1);
  ASSERT_EQ(table.rowCount(), 4);
  EXPECT_EQ(table.item(0, 1)->text(), "25.50");
  EXPECT_EQ(table.item(0, 5)->text(), "0.00123");
  EXPECT_EQ(table.item(0, 2)->text(), "–");  // not available
  EXPECT_EQ(table.item(1, 1)->text(), "20.00");
  EXPECT_EQ(table.item(2, 1)->text(), "23.00");
  EXPECT_EQ(table.item(3, 1)->text(), "∞");
  EXPECT_EQ(table.frame_rows(), 2);

  QSignalSpy selected(&table, &widgets::MetricsTable::frame_selected);
  emit table.cellClicked(3, 2);
  ASSERT_EQ(selected.count(), 1);
  EXPECT_EQ(selected.at(0).at(0).toInt(), 6);
}

TEST(CameraGrid, ShowsThePredictedFrameAtOrBeforeTheTimelineFrame) {
  widgets::CameraGrid grid;
  grid.show();
  grid.set_episode(make_episode(10));
  EXPECT_TRUE(grid.shown_predicted_rgb(0).isNull());  // no rollout yet

  auto rollout = std::make_shared<geometry::Rollout>();
  rollout->frame_indices = {4, 6};
  geometry::RolloutView view;
  view.camera = "main";
  view.width = 4;
  view.height = 2;
  view.rgb.resize(2 * 4 * 2 * 3);
  for (size_t i = 0; i < view.rgb.size(); ++i) view.rgb[i] = i < view.rgb.size() / 2 ? 10 : 200;
  rollout->views.push_back(view);
  grid.set_rollout(rollout);

  grid.set_frame(2);
  EXPECT_EQ(grid.predicted_index(), -1);
  EXPECT_TRUE(grid.shown_predicted_rgb(0).isNull());
  grid.set_frame(5);
  EXPECT_EQ(grid.predicted_index(), 0);
  EXPECT_EQ(QColor(grid.shown_predicted_rgb(0).pixel(1, 1)), QColor(10, 10, 10));
  // Depth errors: predicted 1.25 m everywhere against the recorded 1.0 m.
  rollout->views[0].depth.assign(2 * 4 * 2, 1.25f);
  grid.set_rollout(rollout);
  grid.set_frame(5);
  const QImage plain = grid.shown_predicted_depth(0);
  grid.set_show_depth_errors(true);
  const QImage errors = grid.shown_predicted_depth(0);
  ASSERT_FALSE(errors.isNull());
  EXPECT_NE(plain, errors);
  EXPECT_EQ(errors.pixel(0, 0), widgets::depth_color(1.f));  // 0.25 m ≥ 10% of the range: the warm end
  grid.set_show_depth_errors(false);
  grid.set_frame(9);
  EXPECT_EQ(grid.predicted_index(), 1);
  EXPECT_EQ(QColor(grid.shown_predicted_rgb(0).pixel(1, 1)), QColor(200, 200, 200));
  EXPECT_EQ(QColor(grid.shown_rgb(0).pixel(1, 1)), QColor(50, 50, 50));
}

TEST(CameraGrid, WhatIfShowsRecordedABesideBAndATileZoomsToTheWholePanel) {
  widgets::CameraGrid grid;
  grid.resize(900, 500);
  grid.show();
  grid.set_episode(make_episode(10));
  auto make = [](uint8_t value) {
    auto r = std::make_shared<geometry::Rollout>();
    r->frame_indices = {4, 6};
    geometry::RolloutView view;
    view.camera = "main";
    view.width = 4;
    view.height = 2;
    view.rgb.assign(2 * 4 * 2 * 3, value);
    r->views.push_back(view);
    return r;
  };
  grid.set_rollout(make(10));
  grid.set_frame(6);
  EXPECT_TRUE(grid.shown_compared_rgb(0).isNull());  // one rollout: no B column
  grid.set_compared(make(200), "A #1", "B #2");
  EXPECT_EQ(QColor(grid.shown_predicted_rgb(0).pixel(0, 0)), QColor(10, 10, 10));
  EXPECT_EQ(QColor(grid.shown_compared_rgb(0).pixel(0, 0)), QColor(200, 200, 200));
  grid.set_compared(nullptr);
  EXPECT_TRUE(grid.shown_compared_rgb(0).isNull());

  // Zoom: the predicted tile fills the grid (aspect kept), follows the frame, and goes back.
  grid.zoom(0, 2);
  ASSERT_TRUE(grid.zoomed());
  EXPECT_TRUE(grid.zoom_view()->isVisible());
  EXPECT_EQ(grid.zoom_view()->size(), grid.size());
  EXPECT_EQ(grid.zoom_view()->image(), grid.shown_predicted_rgb(0));
  const QRect shown = grid.zoom_view()->image_rect();
  EXPECT_EQ(shown.width(), 2 * shown.height());  // 4 × 2 kept
  EXPECT_GE(shown.width(), grid.width() - 1);    // as wide as the panel
  grid.set_frame(2);                             // before the prediction: nothing to show
  EXPECT_TRUE(grid.zoom_view()->image().isNull());
  // Nearest-neighbour: a 4 × 2 image with one bright pixel stays a sharp block when enlarged.
  QImage dot(4, 2, QImage::Format_RGB32);
  dot.fill(Qt::black);
  dot.setPixel(0, 0, qRgb(255, 255, 255));
  grid.zoom_view()->set_image(dot);
  const QImage drawn = grid.zoom_view()->grab().toImage();
  const QRect r = grid.zoom_view()->image_rect();
  const int cell = r.width() / 4;
  EXPECT_EQ(QColor(drawn.pixel(r.left() + cell - 2, r.top() + 1)), QColor(255, 255, 255));
  EXPECT_EQ(QColor(drawn.pixel(r.left() + cell + 2, r.top() + 1)), QColor(0, 0, 0));
  QTest::mouseDClick(grid.zoom_view(), Qt::LeftButton);
  EXPECT_FALSE(grid.zoomed());
  EXPECT_FALSE(grid.zoom_view()->isVisible());
}
