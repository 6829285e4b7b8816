#include "engine/call_state_machine.hpp"
namespace sala::client {
namespace {
namespace type = protocol::type;
using protocol::EndReason;
using protocol::Json;

std::string word(EndReason reason) { return protocol::to_string(reason); }

Json with_call(const char* message_type, const std::string& call_id) {
    return Json{{"type", message_type}, {"call_id", call_id}};
}
// The message's "ice" when it is a usable description; a bad one is as good as none.
std::optional<protocol::IceDescription> remote_ice(const Json& message) {
    auto it = message.find("ice");
    return it == message.end() ? std::nullopt : protocol::parse_ice(*it, nullptr);
}
CallTransition refuse(std::string why) {
    CallTransition t;
    t.refusal = std::move(why);
    return t;
}
}  // namespace

void CallStateMachine::reset() {
    state_ = CallState::idle;
    peer_.clear();
    call_id_.clear();
    media_ = {};
    accepted_ = false;
    outgoing_ = false;
}

CallTransition CallStateMachine::end_locally(const std::string& reason, const std::string& by, bool tell_server) {
    CallTransition t;
    if (tell_server) {
        if (!call_id_.empty())
            // An invite we already accepted is a call to the server: it is hung up, not rejected.
            t.send.push_back(
                with_call(state_ == CallState::ringing && !accepted_ ? type::reject : type::hangup, call_id_));
        else if (state_ == CallState::calling)
            cancel_when_acknowledged_ = true;
    }
    t.ended_reason = reason;
    t.ended_by = by;
    reset();
    return t;
}

CallTransition CallStateMachine::call(const std::string& peer, const std::optional<protocol::IceDescription>& ice,
                                      const std::optional<Json>& keys) {
    if (state_ != CallState::idle) return refuse("You are already in a call.");
    state_ = CallState::calling;
    outgoing_ = true;
    peer_ = peer;
    CallTransition t;
    t.send.push_back(Json{{"type", type::call}, {"to", peer}});
    if (ice) t.send.back()["ice"] = to_json(*ice);
    if (keys) t.send.back()["keys"] = *keys;
    return t;
}

CallTransition CallStateMachine::accept(const std::optional<protocol::IceDescription>& ice,
                                        const std::optional<Json>& keys) {
    if (state_ != CallState::ringing) return refuse("There is no invite to accept.");
    if (accepted_) return refuse("The invite is already accepted.");
    accepted_ = true;
    CallTransition t;
    t.send.push_back(with_call(type::accept, call_id_));
    if (ice) t.send.back()["ice"] = to_json(*ice);
    if (keys) t.send.back()["keys"] = *keys;
    return t;
}

CallTransition CallStateMachine::reject() {
    if (state_ != CallState::ringing) return refuse("There is no invite to reject.");
    if (accepted_) return refuse("The invite is already accepted: hang up instead.");
    return end_locally(word(EndReason::rejected), me_, true);
}

CallTransition CallStateMachine::hangup() {
    switch (state_) {
        case CallState::idle:
            return refuse("There is no call to hang up.");
        case CallState::ringing:
            return end_locally(word(accepted_ ? EndReason::hangup : EndReason::rejected), me_, true);
        case CallState::calling:
            return end_locally(word(EndReason::cancelled), me_, true);
        case CallState::in_call:
            return end_locally(word(EndReason::hangup), me_, true);
    }
    return {};
}

CallTransition CallStateMachine::media_timeout() {
    if (state_ != CallState::in_call) return {};
    return end_locally(word(EndReason::media_timeout), peer_, true);
}

CallTransition CallStateMachine::not_private() {
    if (state_ == CallState::idle) return {};
    return end_locally(word(EndReason::not_private), peer_, true);
}

CallTransition CallStateMachine::connection_lost() {
    cancel_when_acknowledged_ = false;
    if (state_ == CallState::calling || state_ == CallState::ringing)
        return end_locally(word(EndReason::connection_lost), me_, false);
    return {};
}

CallTransition CallStateMachine::registered_again(const Json& welcome, bool resumed) {
    const std::string server_call_id = protocol::get_string(welcome, protocol::field::call_id).value_or("");
    if (!resumed) {
        if (welcome.contains(protocol::field::resume_token) && state_ == CallState::in_call)
            return end_locally(word(EndReason::connection_lost), me_, false);
        return {};
    }
    if (state_ != CallState::idle && call_id_ != server_call_id)
        return end_locally(word(EndReason::connection_lost), me_, false);
    CallTransition t;
    if (state_ == CallState::idle && !server_call_id.empty()) t.send.push_back(with_call(type::hangup, server_call_id));
    return t;
}

CallTransition CallStateMachine::on_server_message(const Json& message) {
    const std::string kind = protocol::get_string(message, "type").value_or("");
    const std::string id = protocol::get_string(message, "call_id").value_or("");
    CallTransition t;
    if (kind == type::calling) {
        if (cancel_when_acknowledged_ && state_ == CallState::idle) {
            cancel_when_acknowledged_ = false;
            t.send.push_back(with_call(type::hangup, id));
        } else if (state_ == CallState::calling && call_id_.empty()) {
            call_id_ = id;
            t.named = true;
        }
    } else if (kind == type::call_failed) {
        if (cancel_when_acknowledged_) {
            cancel_when_acknowledged_ = false;
        } else if (state_ == CallState::calling) {
            t.failed = protocol::get_string(message, "reason").value_or("unknown");
            reset();
        }
    } else if (kind == type::invite) {
        if (state_ == CallState::idle && !id.empty()) {
            state_ = CallState::ringing;
            call_id_ = id;
            peer_ = protocol::get_string(message, "from").value_or("?");
            t.invited = true;
            t.remote_ice = remote_ice(message);
            if (auto keys = message.find("keys"); keys != message.end()) t.remote_keys = *keys;
        } else if (!id.empty() && id != call_id_) {
            t.send.push_back(with_call(type::reject, id));
        }
    } else if (kind == type::call_started) {
        // A call we ended ourselves may start late, when the server put it through before our
        // hangup arrived: its id is no longer ours, and that hangup ends it there.
        if ((state_ == CallState::calling || state_ == CallState::ringing) && id == call_id_) {
            auto media = message.find("media");
            if (media != message.end() && media->is_object()) {
                media_.host = protocol::get_string(*media, "host").value_or("");
                media_.port = static_cast<unsigned short>(protocol::get_int(*media, "port").value_or(0));
            }
            if (auto peer = protocol::get_string(message, "peer")) peer_ = *peer;
            state_ = CallState::in_call;
            t.started = true;
            t.remote_ice = remote_ice(message);
            if (auto keys = message.find("keys"); keys != message.end()) t.remote_keys = *keys;
        }
    } else if (kind == type::candidate) {
        if (!id.empty() && id == call_id_ && state_ != CallState::idle) {
            if (auto candidate = protocol::get_string(message, "candidate");
                candidate && !protocol::candidate_problem(*candidate))
                t.remote_candidates.push_back(*candidate);
            auto done = message.find("end_of_candidates");
            t.remote_candidates_done = done != message.end() && *done == true;
        }
    } else if (kind == type::restart) {
        if (!id.empty() && id == call_id_ && state_ == CallState::in_call) t.remote_restart = remote_ice(message);
    } else if (kind == type::call_ended) {
        if (!id.empty() && id == call_id_ && state_ != CallState::idle) {
            t.ended_reason = protocol::get_string(message, "reason").value_or(word(EndReason::hangup));
            t.ended_by = protocol::get_string(message, "by").value_or(peer_);
            reset();
        }
    }
    return t;
}

}  // namespace sala::client
