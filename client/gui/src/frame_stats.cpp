#include "frame_stats.hpp"

#include <cstdio>

namespace sala::gui {

void FrameStats::count(bool drawn, float area, ImVec2 display) {
    ++built_;
    if (drawn) {
        ++drawn_;
        area_ += area;
    }
    window_ = static_cast<double>(display.x) * display.y;
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - since_).count();
    if (seconds < 1.0) return;
    std::fprintf(stderr, "frames: %.1f built, %.1f drawn per second, %.1f%% of the window each\n", built_ / seconds,
                 drawn_ / seconds, drawn_ && window_ > 0 ? 100.0 * area_ / drawn_ / window_ : 0.0);
    since_ = now;
    built_ = drawn_ = 0;
    area_ = 0;
}

}  // namespace sala::gui
