#pragma once
// The calls in progress: who called whom, ringing or active, and when an invite expires.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sala/ice_description.hpp"
#include "sala/key_offer.hpp"

namespace sala::server {

using ClientId = std::uint64_t;
using Clock = std::chrono::steady_clock;

enum class CallState { ringing, active };

struct Call {
    std::string id;
    ClientId caller = 0;
    ClientId callee = 0;
    CallState state = CallState::ringing;
    // Protocol v2: each side's ICE description (as relayed), and how many candidates each side
    // has trickled since (bounded by protocol::kMaxCandidates).
    std::optional<protocol::IceDescription> caller_ice, callee_ice;
    // Protocol v3: each side's signed ephemeral key, relayed unread (the server cannot use it).
    std::optional<protocol::KeyOffer> caller_keys, callee_keys;
    std::size_t caller_trickled = 0, callee_trickled = 0;
    std::size_t caller_restarts = 0, callee_restarts = 0;
    // The ufrag of each side's last restart, and how often it was said again (a repeat: after a
    // resumed session, what may have been lost with the old connection; not counted as a restart).
    std::string caller_ufrag, callee_ufrag;
    std::size_t caller_repeats = 0, callee_repeats = 0;
};

class CallTable {
public:
    // A new ringing call with a fresh unguessable id, unanswered until `deadline`.
    const Call& add(ClientId caller, ClientId callee, Clock::time_point deadline);
    const Call* find(const std::string& id) const;
    Call* find(const std::string& id);
    // Ringing -> active; the invite deadline no longer applies.
    void answer(const std::string& id);
    void remove(const std::string& id);
    // The side `from` of call `id` is now `to` (a resumed session's new connection).
    void rebind(const std::string& id, ClientId from, ClientId to);

    // The ids of ringing calls whose deadline is at or before `now`.
    std::vector<std::string> expired(Clock::time_point now) const;
    std::optional<Clock::time_point> next_deadline() const;
    std::size_t size() const { return calls_.size(); }
    void clear();

private:
    struct Entry {
        Call call;
        std::multimap<Clock::time_point, std::string>::iterator deadline;
    };
    std::unordered_map<std::string, Entry> calls_;
    std::multimap<Clock::time_point, std::string> deadlines_;  // ringing calls only
};

}  // namespace sala::server
