#pragma once
// Shows part of the back buffer in the window without a swap, where the window system can
// (GLX_MESA_copy_sub_buffer: Mesa's drivers, among them the software one). A swap copies the
// whole window, which with software OpenGL costs more than drawing a meter.

struct GLFWwindow;

namespace sala::gui {

class PartialPresent {
public:
    // Looks for the extension; call with the window's context current.
    explicit PartialPresent(GLFWwindow* window);

    bool available() const { return copy_ != nullptr; }
    // Copies the rectangle (window pixels, origin bottom left as in OpenGL) from the back buffer
    // to the window.
    void copy(int x, int y, int width, int height) const;

private:
    void* copy_ = nullptr;  // glXCopySubBufferMESA
    void* display_ = nullptr;
    unsigned long drawable_ = 0;
};

}  // namespace sala::gui
