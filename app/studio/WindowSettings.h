// What the studio remembers between starts (QSettings): window layout, the checkpoints picked or
// trained before (while they exist), the Wan2.2 folder, device and precision.
#pragma once

namespace xwam::studio {
class MainWindow;

void restore_window_settings(MainWindow& window);
void save_window_settings(MainWindow& window);

}  // namespace xwam::studio
