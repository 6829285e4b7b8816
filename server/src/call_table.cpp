#include "call_table.hpp"

#include "call_id.hpp"

namespace sala::server {

const Call& CallTable::add(ClientId caller, ClientId callee, Clock::time_point deadline) {
    std::string id = new_call_id();
    while (calls_.count(id)) id = new_call_id();
    auto at = deadlines_.emplace(deadline, id);
    Call call;
    call.id = id;
    call.caller = caller;
    call.callee = callee;
    auto it = calls_.emplace(id, Entry{std::move(call), at}).first;
    return it->second.call;
}

const Call* CallTable::find(const std::string& id) const {
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : &it->second.call;
}

Call* CallTable::find(const std::string& id) {
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : &it->second.call;
}

void CallTable::answer(const std::string& id) {
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second.call.state != CallState::ringing) return;
    deadlines_.erase(it->second.deadline);
    it->second.call.state = CallState::active;
}

void CallTable::rebind(const std::string& id, ClientId from, ClientId to) {
    Call* call = find(id);
    if (!call) return;
    if (call->caller == from) call->caller = to;
    if (call->callee == from) call->callee = to;
}

void CallTable::remove(const std::string& id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    if (it->second.call.state == CallState::ringing) deadlines_.erase(it->second.deadline);
    calls_.erase(it);
}

std::vector<std::string> CallTable::expired(Clock::time_point now) const {
    std::vector<std::string> ids;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) ids.push_back(it->second);
    return ids;
}

std::optional<Clock::time_point> CallTable::next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
}

void CallTable::clear() {
    calls_.clear();
    deadlines_.clear();
}

}  // namespace sala::server
