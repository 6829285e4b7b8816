#pragma once
// The window's fonts and style, scaled for the monitor.

#include "ui.hpp"

namespace sala::gui {

// Loads DejaVu Sans (regular and bold) at ~16 px times scale, falling back to ImGui's own font
// when the font package is missing, and sets a calm dark style.
Look apply_look(float scale);
// The same at another scale, while the window runs (between frames): the fonts and the style
// made again, and the font texture with them.
Look reapply_look(float scale);

}  // namespace sala::gui
