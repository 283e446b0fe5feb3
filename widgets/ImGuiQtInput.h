// A small Qt platform backend for Dear ImGui (there is none upstream): Qt mouse, wheel and key events
// into an ImGuiContext's IO (imgui 1.86 API: MousePos/MouseDown/KeysDown/KeyMap fields). Drawing is
// done by imgui_impl_vulkan inside the renderer (render/Overlay.h); this file is input only.
//
//   imgui_qt::init(ctx);                                            // once, sets the key map
//   bool imgui_wants_it = imgui_qt::feed(ctx, event, devicePixelRatio());   // from event handlers
#pragma once

class QEvent;
struct ImGuiContext;

namespace xwam::widgets::imgui_qt {

// Sets the key map and backend name of `ctx`.
void init(ImGuiContext* ctx);

// Feeds one event (mouse press/release/move, wheel, key press/release) to `ctx`. Positions are scaled
// by `device_pixel_ratio` into the swapchain's pixels, where ImGui draws. Returns true when ImGui wants
// this input (the pointer is over an ImGui window or a widget is active, or a text field has focus),
// so the host should not also use it for the camera. Other event types are ignored (false).
bool feed(ImGuiContext* ctx, QEvent* event, double device_pixel_ratio);

}  // namespace xwam::widgets::imgui_qt
