#pragma once
// The one place that changes a client's call state, from local intentions and server messages.
// Pure logic: it returns what to send and what happened; the engine does the I/O.

#include <optional>
#include <string>
#include <vector>

#include "sala/client/snapshot.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

struct MediaAddress {
    std::string host;
    unsigned short port = 0;
};

// What one input did.
struct CallTransition {
    std::string refusal;                      // non-empty: the input made no sense now (plain words)
    std::vector<protocol::Json> send;         // messages for the server, in order
    bool invited = false;                     // an invite arrived: ask the user
    bool started = false;                     // media should start (peer + media are set)
    std::optional<std::string> failed;        // our call attempt failed: reason code from the server
    std::optional<std::string> ended_reason;  // the call ended: reason code
    std::string ended_by;                     // who ended it (a name; ours for local actions)
    // Protocol v2: the server named our outgoing call (its id is known from now on).
    bool named = false;
    // The peer's ICE description (in an invite or call_started), trickled candidates, and the
    // end of them.
    std::optional<protocol::IceDescription> remote_ice;
    std::vector<std::string> remote_candidates;
    bool remote_candidates_done = false;
    // The peer restarted ICE (or answered our restart) with this description.
    std::optional<protocol::IceDescription> remote_restart;
    // Protocol v3: the peer's signed key ("keys" in an invite or call_started), unchecked.
    std::optional<protocol::Json> remote_keys;
};

class CallStateMachine {
public:
    explicit CallStateMachine(std::string my_name = "") : me_(std::move(my_name)) {}
    void set_my_name(std::string name) { me_ = std::move(name); }

    CallState state() const { return state_; }
    const std::string& peer() const { return peer_; }
    const std::string& call_id() const { return call_id_; }
    const MediaAddress& media() const { return media_; }
    bool is_caller() const { return outgoing_; }  // we made the current call (ICE: we control)

    // Local intentions.
    // ice: our ICE description for the peer (protocol v2), when we have one; keys: our signed
    // ephemeral key (protocol v3).
    CallTransition call(const std::string& peer, const std::optional<protocol::IceDescription>& ice = {},
                        const std::optional<protocol::Json>& keys = {});
    CallTransition accept(const std::optional<protocol::IceDescription>& ice = {},
                          const std::optional<protocol::Json>& keys = {});
    CallTransition reject();
    CallTransition hangup();
    CallTransition media_timeout();
    // The peer's keys are missing or do not hold: the invite is rejected, the call hung up.
    CallTransition not_private();
    // The directory connection went away: pending invites end; a running call goes on.
    CallTransition connection_lost();

    // Registered again after a lost connection (`welcome`). resumed: the server kept our session,
    // and its "call_id" is the call it holds for us; what we missed is put right (a call that ended
    // meanwhile ends here; an invite that ended here is hung up there). A new session from a server
    // that resumes sessions (its welcome has a "resume_token"): our call is over there.
    CallTransition registered_again(const protocol::Json& welcome, bool resumed);

    // A message from the server (any type; the ones about calls change the state).
    CallTransition on_server_message(const protocol::Json& message);

private:
    CallTransition end_locally(const std::string& reason, const std::string& by, bool tell_server);
    void reset();

    std::string me_;
    CallState state_ = CallState::idle;
    std::string peer_;
    std::string call_id_;
    MediaAddress media_;
    bool accepted_ = false;
    bool outgoing_ = false;
    bool cancel_when_acknowledged_ = false;  // hung up before the server named the call
};

}  // namespace sala::client
