#pragma once
// sala --frame-stats: once a second, on stderr, how many frames were built, how many drawn, and
// how much of the window they redrew (for tests/gui/measure_cpu.sh).

#include <chrono>

#include <imgui.h>

namespace sala::gui {

class FrameStats {
public:
    void count(bool drawn, float area, ImVec2 display);

private:
    std::chrono::steady_clock::time_point since_ = std::chrono::steady_clock::now();
    int built_ = 0, drawn_ = 0;
    double area_ = 0;    // display pixels redrawn
    double window_ = 0;  // display pixels of the whole window, per frame
};

}  // namespace sala::gui
