// The 3D view of X-WAM Studio: the Vulkan renderer (render/) in a QVulkanWindow, embedded as a
// widget, with mouse orbit (left drag), pan (right or middle drag, or shift + left), zoom (wheel) and
// the ImGui overlay (stats, colour mode, point size, frame). Without a Vulkan device it shows a label
// saying so instead, and every setter still works (so the rest of the app keeps working).
//
//   auto* view = new VulkanViewport(parent);
//   view->set_sequences(predicted, recorded);   // shared, immutable; uploaded once
//   connect(timeline, &Timeline::frame_changed, view, &VulkanViewport::set_frame);
//   QImage shot = view->grab_composite();       // what is on screen, overlay included
//
// GUI thread only. No Vulkan or ImGui types here (pimpl); see docs/renderer.md.
#pragma once
#include <QWidget>
#include <memory>

#include "render/SceneData.h"
#include "render/ViewSettings.h"

namespace xwam::widgets {

class VulkanViewport : public QWidget {
  Q_OBJECT
 public:
  explicit VulkanViewport(QWidget* parent = nullptr);
  ~VulkanViewport() override;

  // False when no Vulkan device could be used; unavailable_reason() says why (also shown in the widget).
  bool vulkan_available() const;
  QString unavailable_reason() const;

  // Either may be null. Frames are shown at the same index; the view is framed on the first call.
  void set_sequences(std::shared_ptr<const render::PointSequence> predicted,
                     std::shared_ptr<const render::PointSequence> recorded);
  int frame_count() const;
  int frame() const;

  // Frames the next sequences as `xwam render` does (orbit on the scene's core, splats from the point
  // density); the first sequences are framed so anyway. For a new scene, not for a prediction over it.
  void reframe();
  void set_color_mode(render::ColorMode mode);
  void set_point_size(float pixels);          // screen-space splats
  void set_point_size_m(float metres);        // world-size splats; 0 returns to pixels
  void set_layout(render::Layout layout);     // overlaid or side by side
  void set_show_frustums(bool on);
  void set_show_trajectory(bool on);
  void set_show_overlay(bool on);
  // "main", "top", "side" (orbit presets) or a camera name (look through it). False if unknown.
  bool set_view(const QString& view);
  // Everything at once (what the overlay edits too).
  const render::ViewSettings& settings() const;
  void set_settings(const render::ViewSettings& settings);

  // The rendered image (3D view and overlay) as RGB; null without Vulkan or before the first frame.
  // QWidget::grab() cannot see Vulkan content, this renders a frame and reads it back.
  QImage grab_composite();

 public slots:
  // Clamped to the sequences' frames.
  void set_frame(int t);

 signals:
  // The overlay's frame slider moved (not emitted for set_frame()).
  void frame_changed(int t);
  // The overlay changed another setting (colour mode, point size, ...).
  void settings_changed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xwam::widgets
