#pragma once
// The calls this client made and received (who, when, which way, how it went, how long), kept in
// its config directory as JSON lines (call_history.jsonl, newest last, at most kMaxCallRecords)
// and shown by the window and by sala-cli --history.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <optional>

#include "sala/protocol.hpp"

namespace sala::client {

inline constexpr std::size_t kMaxCallRecords = 500;
inline constexpr const char* kCallHistoryFile = "call_history.jsonl";

// How a call went: answered (we talked); incoming: missed (the caller gave up, or it was never
// answered) or rejected (we said no); outgoing: unanswered (refused, not answered, or we gave up)
// or failed (the server could not put it through).
enum class CallOutcome { answered, missed, rejected, unanswered, failed };
const char* to_string(CallOutcome outcome);

struct CallRecord {
    std::string peer;
    std::chrono::system_clock::time_point time;  // when it was placed or began to ring
    bool incoming = false;
    CallOutcome outcome = CallOutcome::answered;
    std::chrono::seconds duration{0};  // answered calls: from call_started to the end
    bool seen = true;                  // a missed call stays unseen until the user has looked
};

// One line of the file, as sala-cli --history --json prints it:
// {"peer":"bob","time":1765090000,"direction":"incoming","outcome":"missed","duration_s":0,"seen":false}
protocol::Json to_json(const CallRecord& record);
std::optional<CallRecord> call_record_from_json(const protocol::Json& line);
// "1:05", "1:02:03": how long a call lasted, as people read it.
std::string call_length_text(std::chrono::seconds duration);
// "2026-12-07 06:40  incoming  missed      bob" and the like, for people (local time).
std::string describe(const CallRecord& record);

// The history kept in config_dir, oldest first; empty when there is none (lines that do not
// parse are skipped).
std::vector<CallRecord> load_call_history(const std::filesystem::path& config_dir);
// Missed calls not seen yet.
int unseen_missed(const std::vector<CallRecord>& records);

}  // namespace sala::client
