// The studio's menu bar: File (scenes, sessions, exports), Run, Playback, View and Help, each action a
// call of MainWindow's public API.
#pragma once

namespace xwam::studio {
class MainWindow;

void build_menus(MainWindow& window);

}  // namespace xwam::studio
