#pragma once
// How big text and controls are: the monitor's content scale (high-DPI screens; on X11 Xft.dpi /
// 96), or the user's --scale; and the window's first size, scaled the same way and kept on the
// monitor.

#include <optional>

struct GLFWwindow;

namespace sala::gui {

class WindowScale {
public:
    // fixed: --scale, which wins over the monitor's.
    explicit WindowScale(std::optional<float> fixed) : fixed_(fixed) {}

    // The scale for a window not yet made: --scale, else the primary monitor's.
    float initial() const;
    // 1280 x 720 at scale 1, scaled, no bigger than the primary monitor's work area.
    void window_size(float scale, int& width, int& height) const;
    // Follows the window's content scale (when it moves to another monitor, or the monitor's
    // changes); true, with *scale set, when the window should be drawn at a new scale.
    void watch(GLFWwindow* window);
    bool changed(GLFWwindow* window, float* scale);
    float current() const { return current_; }  // after watch(): the window's scale

private:
    std::optional<float> fixed_;
    float current_ = 1.0f;
};

}  // namespace sala::gui
