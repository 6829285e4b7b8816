#include "engine/call_recorder.hpp"

#include "sala/replace_file.hpp"

namespace sala::client {
namespace {
using protocol::Json;
using Clock = std::chrono::steady_clock;
}  // namespace

CallRecorder::CallRecorder(const std::filesystem::path& config_dir)
    : file_(config_dir.empty() ? std::filesystem::path() : config_dir / kCallHistoryFile),
      records_(std::make_shared<std::vector<CallRecord>>(config_dir.empty() ? std::vector<CallRecord>{}
                                                                            : load_call_history(config_dir))) {}

void CallRecorder::show(Snapshot& state) const {
    state.history = records_;
    state.missed_calls = unseen_missed(*records_);
}

Notice CallRecorder::follow(Snapshot& state, Notice notice) {
    note(state, notice.event.fields);
    return notice;
}

void CallRecorder::note(Snapshot& state, const Json& event) {
    const std::string kind = protocol::get_string(event, "event").value_or("");
    if (kind == "calling" || kind == "invite") {
        const bool incoming = kind == "invite";
        current_ = CallRecord{protocol::get_string(event, incoming ? "from" : "peer").value_or(""),
                              std::chrono::system_clock::now(),
                              incoming,
                              CallOutcome::answered,
                              std::chrono::seconds(0),
                              true};
        answered_ = false;
    } else if (kind == "call_started" && current_) {
        answered_ = true;
        started_ = Clock::now();
    } else if (kind == "call_failed" && current_) {
        current_->outcome = CallOutcome::failed;
        add(state, *current_);
    } else if (kind == "call_ended" && current_) {
        CallRecord record = *current_;
        const std::string reason = protocol::get_string(event, "reason").value_or("");
        if (answered_) {
            record.outcome = CallOutcome::answered;
            record.duration = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_);
        } else if (!record.incoming) {
            record.outcome = CallOutcome::unanswered;
        } else if (reason == "rejected") {
            record.outcome = CallOutcome::rejected;
        } else {
            record.outcome = CallOutcome::missed;
            record.seen = false;
        }
        add(state, std::move(record));
    }
}

void CallRecorder::add(Snapshot& state, CallRecord record) {
    current_.reset();
    auto records = std::make_shared<std::vector<CallRecord>>(*records_);
    records->push_back(std::move(record));
    if (records->size() > kMaxCallRecords)
        records->erase(records->begin(), records->end() - static_cast<std::ptrdiff_t>(kMaxCallRecords));
    records_ = std::move(records);
    save();
    show(state);
}

void CallRecorder::mark_seen(Snapshot& state) {
    if (unseen_missed(*records_) == 0) return;
    auto records = std::make_shared<std::vector<CallRecord>>(*records_);
    for (auto& r : *records) r.seen = true;
    records_ = std::move(records);
    save();
    show(state);
}

void CallRecorder::save() const {
    if (file_.empty()) return;
    std::string text;
    for (const auto& r : *records_) text += to_json(r).dump() + "\n";
    replace_file(file_, text);  // best effort, as known_peers: the calls themselves go on
}

}  // namespace sala::client
