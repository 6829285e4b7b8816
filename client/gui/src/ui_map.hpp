#pragma once
// For tests that drive the window with xdotool: where the named controls of the last frame
// are, written to a file ("NAME X Y enabled|disabled" per line, window coordinates of the
// control's centre) whenever that changes. Does nothing without a path.

#include <string>

namespace sala::gui {

class UiMap {
public:
    explicit UiMap(std::string path = "") : path_(std::move(path)) {}

    // Notes the last ImGui item under name.
    void mark(const std::string& name, bool enabled = true);
    // Writes the file if the controls moved, appeared or vanished since the last frame.
    void end_frame();

private:
    std::string path_;
    std::string frame_;
    std::string written_;
};

}  // namespace sala::gui
