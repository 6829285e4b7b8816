#pragma once
// Closes the window cleanly (hang up, bye) on SIGINT or SIGTERM, as if its close button had
// been pressed: a thread owned here waits for the signals, which are blocked everywhere else.

#include <thread>

struct GLFWwindow;

namespace sala::gui {

class CloseOnSignal {
public:
    // Call before any other thread starts, so every thread inherits the blocked signals.
    CloseOnSignal();
    ~CloseOnSignal();  // stops and joins the thread
    CloseOnSignal(const CloseOnSignal&) = delete;
    CloseOnSignal& operator=(const CloseOnSignal&) = delete;

    // From now on a signal closes this window; nullptr before the window is destroyed.
    void watch(GLFWwindow* window);

private:
    std::jthread thread_;
};

}  // namespace sala::gui
