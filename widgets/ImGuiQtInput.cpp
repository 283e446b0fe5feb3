// Qt → ImGui IO (imgui 1.86): mouse position/buttons/wheel, modifiers, navigation keys and text.
#include "widgets/ImGuiQtInput.h"

#include <imgui.h>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

namespace xwam::widgets::imgui_qt {
namespace {

// ImGui 1.86 reads keys from io.KeysDown[io.KeyMap[key]]: we use the ImGuiKey value itself as index.
int imgui_key(int qt_key) {
  switch (qt_key) {
    case Qt::Key_Tab: return ImGuiKey_Tab;
    case Qt::Key_Left: return ImGuiKey_LeftArrow;
    case Qt::Key_Right: return ImGuiKey_RightArrow;
    case Qt::Key_Up: return ImGuiKey_UpArrow;
    case Qt::Key_Down: return ImGuiKey_DownArrow;
    case Qt::Key_PageUp: return ImGuiKey_PageUp;
    case Qt::Key_PageDown: return ImGuiKey_PageDown;
    case Qt::Key_Home: return ImGuiKey_Home;
    case Qt::Key_End: return ImGuiKey_End;
    case Qt::Key_Insert: return ImGuiKey_Insert;
    case Qt::Key_Delete: return ImGuiKey_Delete;
    case Qt::Key_Backspace: return ImGuiKey_Backspace;
    case Qt::Key_Space: return ImGuiKey_Space;
    case Qt::Key_Return: return ImGuiKey_Enter;
    case Qt::Key_Enter: return ImGuiKey_KeyPadEnter;
    case Qt::Key_Escape: return ImGuiKey_Escape;
    case Qt::Key_A: return ImGuiKey_A;
    case Qt::Key_C: return ImGuiKey_C;
    case Qt::Key_V: return ImGuiKey_V;
    case Qt::Key_X: return ImGuiKey_X;
    case Qt::Key_Y: return ImGuiKey_Y;
    case Qt::Key_Z: return ImGuiKey_Z;
    default: return -1;
  }
}

int imgui_button(Qt::MouseButton b) {
  switch (b) {
    case Qt::LeftButton: return 0;
    case Qt::RightButton: return 1;
    case Qt::MiddleButton: return 2;
    default: return -1;
  }
}

void set_modifiers(ImGuiIO& io, Qt::KeyboardModifiers m) {
  io.KeyCtrl = m & Qt::ControlModifier;
  io.KeyShift = m & Qt::ShiftModifier;
  io.KeyAlt = m & Qt::AltModifier;
  io.KeySuper = m & Qt::MetaModifier;
}

struct Current {
  ImGuiContext* previous;
  explicit Current(ImGuiContext* ctx) : previous(ImGui::GetCurrentContext()) { ImGui::SetCurrentContext(ctx); }
  ~Current() { ImGui::SetCurrentContext(previous); }
};

}  // namespace

void init(ImGuiContext* ctx) {
  Current current(ctx);
  ImGuiIO& io = ImGui::GetIO();
  io.BackendPlatformName = "xwam_imgui_qt";
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
}

bool feed(ImGuiContext* ctx, QEvent* event, double dpr) {
  Current current(ctx);
  ImGuiIO& io = ImGui::GetIO();
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseMove: {
      auto* e = static_cast<QMouseEvent*>(event);
      io.MousePos = ImVec2(float(e->position().x() * dpr), float(e->position().y() * dpr));
      const int b = imgui_button(e->button());
      if (b >= 0 && event->type() != QEvent::MouseMove) io.MouseDown[b] = event->type() != QEvent::MouseButtonRelease;
      set_modifiers(io, e->modifiers());
      // WantCaptureMouse was computed by the last frame: the pointer is over ImGui or dragging a widget.
      return io.WantCaptureMouse;
    }
    case QEvent::Wheel: {
      auto* e = static_cast<QWheelEvent*>(event);
      io.MousePos = ImVec2(float(e->position().x() * dpr), float(e->position().y() * dpr));
      io.MouseWheel += e->angleDelta().y() / 120.0f;
      io.MouseWheelH += e->angleDelta().x() / 120.0f;
      return io.WantCaptureMouse;
    }
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
      auto* e = static_cast<QKeyEvent*>(event);
      const bool down = event->type() == QEvent::KeyPress;
      const int k = imgui_key(e->key());
      if (k >= 0) io.KeysDown[k] = down;
      set_modifiers(io, e->modifiers());
      if (down)
        for (QChar c : e->text())
          if (c.isPrint()) io.AddInputCharacterUTF16(c.unicode());
      return io.WantCaptureKeyboard;
    }
    default:
      return false;
  }
}

}  // namespace xwam::widgets::imgui_qt
