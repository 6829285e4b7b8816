#include "sala/gui/control_rules.hpp"

#include <algorithm>
#include <vector>

#include "sala/client/server_address.hpp"
#include "sala/protocol.hpp"

namespace sala::gui {

using client::CallState;
using client::ConnectionState;

bool can_call(const client::Snapshot& s, const std::string& peer) {
    if (s.connection != ConnectionState::registered || s.call != CallState::idle || peer.empty()) return false;
    if (protocol::name_key(peer) == protocol::name_key(s.name)) return false;
    const auto& users = *s.users;
    auto it = std::find_if(users.begin(), users.end(), [&](const client::UserEntry& u) { return u.name == peer; });
    return it != users.end() && !it->busy;
}

ControlRules control_rules(const client::Snapshot& s, const UiFacts& facts) {
    ControlRules r;
    const bool offline = s.connection == ConnectionState::disconnected;
    std::vector<client::ServerAddress> servers;
    const bool server_ok = client::parse_server_list(facts.server_text, servers, nullptr);
    const bool name_ok = !protocol::name_problem(facts.name_text).has_value();

    r.edit_identity = offline;
    r.register_ = offline && name_ok && server_ok;
    // While connecting or reconnecting, Disconnect is how the user gives up.
    r.disconnect = !offline;
    r.call = can_call(s, facts.selected);
    r.cancel_call = s.call == CallState::calling;
    r.answer = s.call == CallState::ringing;
    r.hang_up = s.call == CallState::in_call;
    r.mute = s.call == CallState::in_call;
    // A new choice applies at once, even during a call.
    r.choose_devices = true;
    // The microphone belongs to the call while one is being set up or running.
    r.mic_test = s.call == CallState::idle;
    return r;
}

}  // namespace sala::gui
