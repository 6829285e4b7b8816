#include "partial_present.hpp"

#include <GLFW/glfw3.h>
#define GLFW_EXPOSE_NATIVE_X11
#define GLFW_EXPOSE_NATIVE_GLX
#include <GLFW/glfw3native.h>

namespace sala::gui {
namespace {
using Copy = void (*)(Display*, GLXDrawable, int, int, int, int);
}  // namespace

PartialPresent::PartialPresent(GLFWwindow* window) {
    if (!glfwExtensionSupported("GLX_MESA_copy_sub_buffer")) return;
    Display* display = glfwGetX11Display();
    const GLXWindow drawable = glfwGetGLXWindow(window);
    if (!display || !drawable) return;
    copy_ = reinterpret_cast<void*>(glfwGetProcAddress("glXCopySubBufferMESA"));
    display_ = display;
    drawable_ = drawable;
}

void PartialPresent::copy(int x, int y, int width, int height) const {
    if (copy_) reinterpret_cast<Copy>(copy_)(static_cast<Display*>(display_), drawable_, x, y, width, height);
}

}  // namespace sala::gui
