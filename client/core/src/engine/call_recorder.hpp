#pragma once
// Writes the call history (sala/client/call_history.hpp) as the engine's events tell of calls:
// placed or ringing, started, ended or failed. Follows the events rather than the call state
// machine, so the history says what the user was told. Runs on the engine thread; the file is
// rewritten whole (a new file renamed into place) at each call's end, at most kMaxCallRecords
// lines.

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "engine/notices.hpp"
#include "sala/client/call_history.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class CallRecorder {
public:
    // Reads the history in config_dir; empty config_dir: kept in memory only.
    explicit CallRecorder(const std::filesystem::path& config_dir);

    // Every notice passes through on its way to the publisher (Engine's tell()): a finished
    // call goes into state.history.
    Notice follow(Snapshot& state, Notice notice);
    // The user has seen the missed calls.
    void mark_seen(Snapshot& state);
    // state.history and state.missed_calls from what is known.
    void show(Snapshot& state) const;

private:
    void note(Snapshot& state, const protocol::Json& event);
    void add(Snapshot& state, CallRecord record);
    void save() const;

    std::filesystem::path file_;
    std::shared_ptr<const std::vector<CallRecord>> records_;
    std::optional<CallRecord> current_;  // placed or ringing, not finished
    std::chrono::steady_clock::time_point started_{};
    bool answered_ = false;
};

}  // namespace sala::client
