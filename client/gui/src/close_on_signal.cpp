#include "close_on_signal.hpp"

#include <csignal>
#include <ctime>
#include <mutex>

#include <GLFW/glfw3.h>

namespace sala::gui {
namespace {
std::mutex watched_mutex;
GLFWwindow* watched = nullptr;  // guarded: never used after watch() moved away from it

sigset_t close_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
}  // namespace

CloseOnSignal::CloseOnSignal() {
    sigset_t set = close_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::jthread([](std::stop_token stop) {
        sigset_t set = close_signals();
        const timespec tick{0, 200'000'000};
        while (!stop.stop_requested()) {
            if (sigtimedwait(&set, nullptr, &tick) < 0) continue;
            std::unique_lock lock(watched_mutex);
            if (watched) {
                // Both are documented as callable from any thread.
                glfwSetWindowShouldClose(watched, GLFW_TRUE);
                glfwPostEmptyEvent();
            } else {
                // No window yet (or any more): leave the way the signal means.
                std::signal(SIGTERM, SIG_DFL);
                std::signal(SIGINT, SIG_DFL);
                sigset_t all = close_signals();
                pthread_sigmask(SIG_UNBLOCK, &all, nullptr);
                std::raise(SIGTERM);
            }
        }
    });
}

CloseOnSignal::~CloseOnSignal() {
    watch(nullptr);
    thread_.request_stop();
}

void CloseOnSignal::watch(GLFWwindow* window) {
    std::lock_guard lock(watched_mutex);
    watched = window;
}

}  // namespace sala::gui
