#include "sala/client/call_history.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "sala/replace_file.hpp"

namespace sala::client {
namespace {
using protocol::Json;

constexpr const char* kOutcomes[] = {"answered", "missed", "rejected", "unanswered", "failed"};
}  // namespace

const char* to_string(CallOutcome outcome) { return kOutcomes[static_cast<int>(outcome)]; }

Json to_json(const CallRecord& r) {
    return {{"peer", r.peer},
            {"time", std::chrono::duration_cast<std::chrono::seconds>(r.time.time_since_epoch()).count()},
            {"direction", r.incoming ? "incoming" : "outgoing"},
            {"outcome", to_string(r.outcome)},
            {"duration_s", r.duration.count()},
            {"seen", r.seen}};
}

std::optional<CallRecord> call_record_from_json(const Json& line) {
    const auto peer = protocol::get_string(line, "peer");
    const auto time = protocol::get_int(line, "time");
    const auto direction = protocol::get_string(line, "direction");
    const auto outcome = protocol::get_string(line, "outcome");
    if (!peer || !time || !direction || !outcome || (*direction != "incoming" && *direction != "outgoing"))
        return std::nullopt;
    CallRecord r;
    r.peer = *peer;
    r.time = std::chrono::system_clock::time_point(std::chrono::seconds(*time));
    r.incoming = *direction == "incoming";
    bool known = false;
    for (int i = 0; i < static_cast<int>(std::size(kOutcomes)); ++i)
        if (*outcome == kOutcomes[i]) r.outcome = static_cast<CallOutcome>(i), known = true;
    if (!known) return std::nullopt;
    r.duration = std::chrono::seconds(protocol::get_int(line, "duration_s").value_or(0));
    const auto seen = line.find("seen");
    r.seen = seen == line.end() || !seen->is_boolean() || seen->get<bool>();
    return r;
}

std::string call_length_text(std::chrono::seconds duration) {
    const long long total = duration.count() < 0 ? 0 : duration.count();
    char text[32];
    if (total >= 3600)
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
    else
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    return text;
}

std::string describe(const CallRecord& r) {
    const std::time_t t = std::chrono::system_clock::to_time_t(r.time);
    std::tm local{};
    localtime_r(&t, &local);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &local);
    char text[256];
    std::snprintf(text, sizeof text, "%s  %-8s  %-10s  %-6s  %s", when, r.incoming ? "incoming" : "outgoing",
                  to_string(r.outcome), r.outcome == CallOutcome::answered ? call_length_text(r.duration).c_str() : "",
                  r.peer.c_str());
    return text;
}

std::vector<CallRecord> load_call_history(const std::filesystem::path& config_dir) {
    std::vector<CallRecord> records;
    std::ifstream in(config_dir / kCallHistoryFile);
    std::string line;
    while (std::getline(in, line)) {
        const Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!json.is_object()) continue;
        if (auto record = call_record_from_json(json)) records.push_back(std::move(*record));
    }
    if (records.size() > kMaxCallRecords)
        records.erase(records.begin(), records.end() - static_cast<std::ptrdiff_t>(kMaxCallRecords));
    return records;
}

int unseen_missed(const std::vector<CallRecord>& records) {
    int n = 0;
    for (const auto& r : records) n += r.outcome == CallOutcome::missed && !r.seen;
    return n;
}

}  // namespace sala::client
