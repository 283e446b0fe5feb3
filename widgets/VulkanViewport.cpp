// QVulkanWindow hosting render::SceneRenderer: Qt owns instance, device, swapchain and render pass;
// the renderer records into QVulkanWindow's command buffer each frame (see docs/renderer.md).
#include "widgets/VulkanViewport.h"

#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QVulkanFunctions>
#include <QVulkanInstance>
#include <QVulkanWindow>
#include <QWheelEvent>
#include <chrono>

#include "render/RenderError.h"
#include "render/SceneRenderer.h"
#include "render/ViewDefaults.h"
#include "render/VulkanContext.h"
#include "widgets/ImGuiQtInput.h"

namespace xwam::widgets {
namespace {

class ViewportWindow;

// Lives from initResources() to releaseResources() (device lost, window hidden/destroyed).
class ViewportRenderer : public QVulkanWindowRenderer {
 public:
  explicit ViewportRenderer(ViewportWindow* window) : window_(window) {}
  ~ViewportRenderer() override;
  void initResources() override;
  void releaseResources() override;
  void startNextFrame() override;

  std::unique_ptr<render::VulkanContext> ctx;
  std::unique_ptr<render::SceneRenderer> scene;

 private:
  ViewportWindow* window_;
  std::chrono::steady_clock::time_point last_frame_ = std::chrono::steady_clock::now();
  double last_ms_ = 0;
};

}  // namespace

namespace {

// What the widget, its window and the window's renderer share (VulkanViewport::Impl is this).
struct ViewState {
  VulkanViewport* owner;
  QVulkanInstance instance;
  ViewportWindow* window = nullptr;  // owned by its container widget
  QLabel* label = nullptr;
  QString reason;
  render::ViewSettings settings;
  std::shared_ptr<const render::PointSequence> predicted, recorded;
  bool needs_upload = false, needs_framing = true;
  ViewportRenderer* renderer = nullptr;  // owned by the window while it has resources

  int frames() const {
    size_t n = 0;
    if (predicted) n = std::max(n, predicted->frames.size());
    if (recorded) n = std::max(n, recorded->frames.size());
    return static_cast<int>(n);
  }
  void update();
};

class ViewportWindow : public QVulkanWindow {
 public:
  explicit ViewportWindow(ViewState* impl) : impl_(impl) {}
  QVulkanWindowRenderer* createRenderer() override {
    auto* r = new ViewportRenderer(this);
    impl_->renderer = r;
    return r;
  }
  ViewState* impl() const { return impl_; }

 protected:
  void mousePressEvent(QMouseEvent* e) override { mouse(e); }
  void mouseReleaseEvent(QMouseEvent* e) override { mouse(e); }
  void mouseMoveEvent(QMouseEvent* e) override { mouse(e); }
  void wheelEvent(QWheelEvent* e) override {
    if (!to_imgui(e)) impl_->settings.orbit.zoom(e->angleDelta().y() / 120.0f);
    impl_->update();
  }
  void keyPressEvent(QKeyEvent* e) override {
    to_imgui(e);
    impl_->update();
  }
  void keyReleaseEvent(QKeyEvent* e) override {
    to_imgui(e);
    impl_->update();
  }

 private:
  bool to_imgui(QEvent* e) {
    ViewportRenderer* r = impl_->renderer;
    return r && r->scene && imgui_qt::feed(r->scene->overlay().imgui_context(), e, devicePixelRatio());
  }
  // Drags the camera unless ImGui takes the event; any camera move leaves a recorded camera's view.
  void mouse(QMouseEvent* e) {
    const bool imgui = to_imgui(e);
    const QPointF p = e->position();
    if (e->type() == QEvent::MouseButtonPress) dragging_ = !imgui;
    if (e->type() == QEvent::MouseMove && dragging_) {
      const QPointF d = (p - last_) * devicePixelRatio();
      auto& s = impl_->settings;
      const bool pan = (e->buttons() & (Qt::RightButton | Qt::MiddleButton)) ||
                       ((e->buttons() & Qt::LeftButton) && (e->modifiers() & Qt::ShiftModifier));
      if (s.scene_camera >= 0) s.scene_camera = -1;
      if (pan)
        s.orbit.pan(float(d.x()), float(d.y()), int(height() * devicePixelRatio()));
      else if (e->buttons() & Qt::LeftButton)
        s.orbit.orbit(float(d.x()), float(d.y()));
    }
    if (e->type() == QEvent::MouseButtonRelease && e->buttons() == Qt::NoButton) dragging_ = false;
    last_ = p;
    impl_->update();
  }

  ViewState* impl_;
  QPointF last_;
  bool dragging_ = false;
};

ViewportRenderer::~ViewportRenderer() { window_->impl()->renderer = nullptr; }

void ViewportRenderer::initResources() {
  QVulkanWindow* w = window_;
  ctx = render::VulkanContext::borrow(w->vulkanInstance()->vkInstance(), w->physicalDevice(), w->device(),
                                      w->graphicsQueue(), w->graphicsQueueFamilyIndex());
  scene = std::make_unique<render::SceneRenderer>(*ctx, w->defaultRenderPass(), w->sampleCountFlagBits(),
                                                  uint32_t(w->concurrentFrameCount()), float(w->devicePixelRatio()));
  imgui_qt::init(scene->overlay().imgui_context());
  window_->impl()->needs_upload = true;  // a new device: upload the sequences again
}

void ViewportRenderer::releaseResources() {
  scene.reset();
  ctx.reset();
}

void ViewportRenderer::startNextFrame() {
  ViewState* impl = window_->impl();
  if (impl->needs_upload) {
    scene->set_sequences(impl->predicted.get(), impl->recorded.get());
    const render::PointSequence* cameras_of = impl->recorded ? impl->recorded.get() : impl->predicted.get();
    if (impl->needs_framing && cameras_of) {
      // `xwam render`'s first picture: the orbit camera framed on the scene's core, splats sized from the
      // point density. A recorded camera's view chosen before the first frame stays.
      const int scene_camera = impl->settings.scene_camera;
      scene->frame_camera(impl->settings, render::OrbitCamera::Preset::Main);
      impl->settings.scene_camera = scene_camera;
      const QSize target = window_->swapChainImageSize();
      render::apply_default_point_size(impl->settings, *scene, *cameras_of, target.width(), target.height());
      impl->needs_framing = false;
    }
    impl->needs_upload = false;
  }
  const QSize size = window_->swapChainImageSize();
  const VkExtent2D extent{uint32_t(size.width()), uint32_t(size.height())};
  const float* bg = impl->settings.background;
  VkClearValue clears[3] = {};
  clears[0].color = {{bg[0], bg[1], bg[2], bg[3]}};
  clears[1].depthStencil = {1.0f, 0};
  clears[2].color = clears[0].color;  // the resolve attachment when multisampling
  VkRenderPassBeginInfo begin{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  begin.renderPass = window_->defaultRenderPass();
  begin.framebuffer = window_->currentFramebuffer();
  begin.renderArea.extent = extent;
  begin.clearValueCount = window_->sampleCountFlagBits() > VK_SAMPLE_COUNT_1_BIT ? 3 : 2;
  begin.pClearValues = clears;
  VkCommandBuffer cmd = window_->currentCommandBuffer();
  // Qt includes Vulkan without prototypes: its own function table for the two calls made here.
  QVulkanDeviceFunctions* vk = window_->vulkanInstance()->deviceFunctions(window_->device());
  vk->vkCmdBeginRenderPass(cmd, &begin, VK_SUBPASS_CONTENTS_INLINE);

  const int frame_before = impl->settings.frame;
  bool changed = false;
  try {
    changed = scene->record(cmd, extent, impl->settings, last_ms_);
  } catch (const render::RenderError& e) {
    qWarning("VulkanViewport: %s", e.what());
  }
  vk->vkCmdEndRenderPass(cmd);
  window_->frameReady();

  const auto now = std::chrono::steady_clock::now();
  last_ms_ = std::chrono::duration<double, std::milli>(now - last_frame_).count();
  last_frame_ = now;
  if (changed) {
    if (impl->settings.frame != frame_before) emit impl->owner->frame_changed(impl->settings.frame);
    emit impl->owner->settings_changed();
    window_->requestUpdate();
  }
}

}  // namespace

struct VulkanViewport::Impl : ViewState {};

void ViewState::update() {
  if (window) window->requestUpdate();
}

VulkanViewport::VulkanViewport(QWidget* parent) : QWidget(parent), impl_(std::make_unique<Impl>()) {
  impl_->owner = this;
  impl_->settings.show_overlay = true;
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);

#ifndef NDEBUG
  impl_->instance.setLayers({"VK_LAYER_KHRONOS_validation"});  // ignored when not installed
#endif
  if (!impl_->instance.create()) {
    impl_->reason = QStringLiteral("Vulkan is not available on this system (%1); the 3D view is disabled.")
                        .arg(impl_->instance.errorCode());
  } else {
    auto* window = new ViewportWindow(impl_.get());
    window->setVulkanInstance(&impl_->instance);
    const auto devices = window->availablePhysicalDevices();
    if (devices.isEmpty()) {
      impl_->reason = QStringLiteral("No Vulkan device found; the 3D view is disabled.");
      delete window;
    } else {
      // Same preference as the offscreen renderer: discrete, then integrated, then anything.
      int best = 0, best_rank = -1;
      for (int i = 0; i < devices.size(); ++i) {
        const int rank = devices[i].deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU     ? 3
                         : devices[i].deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? 2
                                                                                            : 1;
        if (rank > best_rank) best = i, best_rank = rank;
      }
      window->setPhysicalDeviceIndex(best);
      // Colours are already sRGB-encoded (like the offscreen RGBA8 target): a UNORM swapchain keeps them
      // as they are, where an _SRGB one would encode them a second time and wash them out.
      window->setPreferredColorFormats({VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM});
      impl_->window = window;
      QWidget* container = QWidget::createWindowContainer(window, this);
      container->setFocusPolicy(Qt::StrongFocus);
      container->setMinimumSize(160, 120);
      layout->addWidget(container);
    }
  }
  if (!impl_->window) {
    impl_->label = new QLabel(impl_->reason, this);
    impl_->label->setAlignment(Qt::AlignCenter);
    impl_->label->setWordWrap(true);
    layout->addWidget(impl_->label);
  }
}

VulkanViewport::~VulkanViewport() {
  // The container owns the window, which needs the instance in impl_: delete it before impl_ goes.
  qDeleteAll(findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly));
}

bool VulkanViewport::vulkan_available() const { return impl_->window != nullptr; }
QString VulkanViewport::unavailable_reason() const { return impl_->reason; }

void VulkanViewport::reframe() {
  impl_->needs_framing = true;
  impl_->needs_upload = true;
  impl_->update();
}

void VulkanViewport::set_sequences(std::shared_ptr<const render::PointSequence> predicted,
                                   std::shared_ptr<const render::PointSequence> recorded) {
  impl_->predicted = std::move(predicted);
  impl_->recorded = std::move(recorded);
  impl_->needs_upload = true;
  impl_->settings.frame = std::clamp(impl_->settings.frame, 0, std::max(0, impl_->frames() - 1));
  impl_->update();
}

int VulkanViewport::frame_count() const { return impl_->frames(); }
int VulkanViewport::frame() const { return impl_->settings.frame; }

void VulkanViewport::set_frame(int t) {
  impl_->settings.frame = std::clamp(t, 0, std::max(0, impl_->frames() - 1));
  impl_->update();
}

void VulkanViewport::set_color_mode(render::ColorMode mode) {
  impl_->settings.color = mode;
  impl_->update();
}

void VulkanViewport::set_point_size(float pixels) {
  impl_->settings.point_size_px = std::max(1.0f, pixels);
  impl_->settings.point_size_m = 0;
  impl_->update();
}

void VulkanViewport::set_point_size_m(float metres) {
  impl_->settings.point_size_m = std::max(0.0f, metres);
  impl_->update();
}

void VulkanViewport::set_layout(render::Layout layout) {
  impl_->settings.layout = layout;
  impl_->update();
}

void VulkanViewport::set_show_frustums(bool on) {
  impl_->settings.show_frustums = on;
  impl_->update();
}

void VulkanViewport::set_show_trajectory(bool on) {
  impl_->settings.show_trajectory = on;
  impl_->update();
}

void VulkanViewport::set_show_overlay(bool on) {
  impl_->settings.show_overlay = on;
  impl_->update();
}

bool VulkanViewport::set_view(const QString& view) {
  using Preset = render::OrbitCamera::Preset;
  auto& s = impl_->settings;
  ViewportRenderer* r = impl_->renderer;
  const bool ready = r && r->scene && !impl_->needs_upload;
  if (view == "main" || view == "top" || view == "side") {
    const Preset preset = view == "main" ? Preset::Main : view == "top" ? Preset::Top : Preset::Side;
    if (ready) r->scene->frame_camera(s, preset);
    s.scene_camera = -1;
  } else {
    // Cameras are looked up in the sequences themselves, so this works before the first frame too.
    // Same rule as SceneRenderer::find_camera: the recorded sequence's cameras when there is one.
    int index = -1;
    const auto& seq = impl_->recorded ? impl_->recorded : impl_->predicted;
    for (size_t c = 0; seq && c < seq->cameras.size(); ++c)
      if (QString::fromStdString(seq->cameras[c].name) == view) index = static_cast<int>(c);
    if (index < 0) return false;
    s.scene_camera = index;
  }
  impl_->update();
  return true;
}

const render::ViewSettings& VulkanViewport::settings() const { return impl_->settings; }

void VulkanViewport::set_settings(const render::ViewSettings& settings) {
  impl_->settings = settings;
  impl_->update();
}

QImage VulkanViewport::grab_composite() {
  if (!impl_->window || !impl_->window->isExposed() || !impl_->window->supportsGrab()) return {};
  QImage image = impl_->window->grab();
  // The swapchain is usually BGRA; QVulkanWindow hands the bytes over as they are.
  const VkFormat format = impl_->window->colorFormat();
  if (format == VK_FORMAT_B8G8R8A8_UNORM || format == VK_FORMAT_B8G8R8A8_SRGB) image = image.rgbSwapped();
  return image.convertToFormat(QImage::Format_RGB888);
}

}  // namespace xwam::widgets
