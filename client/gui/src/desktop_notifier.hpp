#pragma once
// Desktop notifications (the freedesktop.org Notifications service on the session D-Bus, through
// GIO's GDBus): an incoming call while the window is not focused. Best effort: without a session
// bus or a notification service nothing is shown, once said on stderr. The D-Bus calls run on a
// thread the notifier owns, so the window never waits on the bus.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace sala::gui {

class DesktopNotifier {
public:
    DesktopNotifier();
    ~DesktopNotifier();  // closes what it showed, stops and joins its thread
    DesktopNotifier(const DesktopNotifier&) = delete;
    DesktopNotifier& operator=(const DesktopNotifier&) = delete;

    // Shows a notification (urgent, until closed), in place of the one shown before.
    void show(std::string summary, std::string body);
    // Takes the notification shown away, if any.
    void close();

private:
    struct Request {
        bool show = false;
        std::string summary, body;
    };
    void run(std::stop_token stop);

    bool showing_ = false;  // the caller's side: whether close() has anything to take away
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<Request> requests_;
    std::jthread thread_;  // last: started once the rest exists
};

}  // namespace sala::gui
