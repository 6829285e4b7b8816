#pragma once
// What front ends read: the engine's state published as an immutable snapshot (one pointer swap
// under a lock), and events queued by tell() and delivered after the snapshot that shows them,
// so a front end that reads snapshot() in its event handler sees the state the event speaks of.
// Everything but snapshot() runs on the engine thread.

#include <functional>
#include <mutex>
#include <vector>

#include "engine/notices.hpp"
#include "sala/client/event.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class Publisher {
public:
    // The event; if it is logged, also a line in `state`'s log (the window's log pane), which
    // keeps its last kMaxLogEntries lines.
    void tell(Snapshot& state, Notice notice);
    // `state` becomes the snapshot; then the publish handler, then the events told since.
    void publish(const Snapshot& state);
    SnapshotPtr snapshot() const;  // any thread

    std::function<void(const Event&)> event_handler;
    std::function<void()> publish_handler;

private:
    static constexpr std::size_t kMaxLogEntries = 1000;

    // Held only to copy or swap one pointer. libstdc++ 12's std::atomic<shared_ptr> takes a
    // lock inside as well, in a form ThreadSanitizer cannot follow; this one it can.
    mutable std::mutex mutex_;
    SnapshotPtr published_;
    std::vector<Event> pending_;
};

}  // namespace sala::client
