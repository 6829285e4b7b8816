#include "window_scale.hpp"

#include <algorithm>
#include <cmath>

#include <GLFW/glfw3.h>

namespace sala::gui {
namespace {
bool content_scale_changed = false;
float sane(float scale) { return std::isfinite(scale) && scale > 0.25f ? std::min(scale, 4.0f) : 1.0f; }
}  // namespace

float WindowScale::initial() const {
    if (fixed_) return sane(*fixed_);
    float x = 1.0f, y = 1.0f;
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) glfwGetMonitorContentScale(monitor, &x, &y);
    return sane(x);
}

void WindowScale::window_size(float scale, int& width, int& height) const {
    width = static_cast<int>(std::lround(1280 * scale));
    height = static_cast<int>(std::lround(720 * scale));
    int x = 0, y = 0, w = 0, h = 0;
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
    if (w > 0) width = std::min(width, w);
    if (h > 0) height = std::min(height, h);
}

void WindowScale::watch(GLFWwindow* window) {
    float x = 1.0f, y = 1.0f;
    glfwGetWindowContentScale(window, &x, &y);
    current_ = fixed_ ? sane(*fixed_) : sane(x);
    glfwSetWindowContentScaleCallback(window, [](GLFWwindow*, float, float) { content_scale_changed = true; });
}

bool WindowScale::changed(GLFWwindow* window, float* scale) {
    if (!content_scale_changed || fixed_) return false;
    content_scale_changed = false;
    float x = 1.0f, y = 1.0f;
    glfwGetWindowContentScale(window, &x, &y);
    if (sane(x) == current_) return false;
    *scale = current_ = sane(x);
    return true;
}

}  // namespace sala::gui
