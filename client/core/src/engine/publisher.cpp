#include "engine/publisher.hpp"

#include <chrono>
#include <memory>
#include <utility>

namespace sala::client {

void Publisher::tell(Snapshot& state, Notice notice) {
    if (notice.logged) {
        auto log = std::make_shared<std::vector<LogEntry>>(*state.log);
        if (log->size() >= kMaxLogEntries) log->erase(log->begin(), log->begin() + kMaxLogEntries / 10);
        log->push_back({std::chrono::system_clock::now(), notice.level, notice.event.text});
        state.log = std::move(log);
    }
    pending_.push_back(std::move(notice.event));
}

void Publisher::publish(const Snapshot& state) {
    auto next = std::make_shared<const Snapshot>(state);
    {
        std::lock_guard lock(mutex_);
        published_.swap(next);
    }  // the old snapshot (now in next) is released outside the lock
    if (publish_handler) publish_handler();
    std::vector<Event> events;
    events.swap(pending_);  // a handler may tell more: those wait for the next publish
    for (const auto& event : events)
        if (event_handler) event_handler(event);
}

SnapshotPtr Publisher::snapshot() const {
    std::lock_guard lock(mutex_);
    return published_;
}

}  // namespace sala::client
