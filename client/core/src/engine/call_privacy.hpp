#pragma once
// End-to-end encryption of the engine's calls: this client's identity, the peers' known keys,
// and per call the key agreement (CallKeys) that ends in the SRTP session the media uses and
// the safety code the user sees. Decides when a call cannot be private (the peer sent no
// keys, or keys that do not hold): such a call ends, unless the user allowed unencrypted
// calls. Engine thread only; every secret is erased when the call ends.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/call_keys.hpp"
#include "engine/call_state_machine.hpp"
#include "engine/identity.hpp"
#include "engine/known_peers.hpp"
#include "engine/notices.hpp"
#include "media/srtp/srtp_session.hpp"
#include "sala/client/engine_options.hpp"

namespace sala::client {

class MediaSession;

class CallPrivacy {
public:
    // Loads (or makes) the identity in options.config_dir; throws std::runtime_error with a
    // sentence when it cannot, or when the suite is not one Sala speaks.
    explicit CallPrivacy(const EngineOptions& options);
    ~CallPrivacy();

    // Our signed key for a `call` (a new ephemeral key for each call); none with srtp_suite "off".
    std::optional<protocol::Json> offer();
    // Our signed answer for `accept`; nothing when the caller sent no keys (allowed unencrypted).
    std::optional<protocol::Json> answer(const std::string& call_id);
    // Looks at what a transition brought: the caller's key in an invite (checked), the peer's at
    // call_started (the keys are agreed and the SRTP session made). Nullopt when the call may go
    // on; else the notice that says why it cannot be private (the engine then ends it).
    std::optional<Notice> check(const CallTransition& t, const CallStateMachine& calls);
    // Hands the agreed SRTP session to the call's media and says how private the call is;
    // returns the warnings to tell (a changed peer key, a key log, no encryption at all).
    std::vector<Notice> secure(MediaSession& media, CallSecurity& security);
    // The call is over: keys, ephemeral secrets and the peer's offer are erased.
    void end();
    // Our identity's proof for hello (protocol v4): the public key and its signature of `message`.
    protocol::NameProof prove_name(const std::vector<std::uint8_t>& message) const {
        return {identity_.public_key(), identity_.sign(message)};
    }

private:
    std::optional<std::string> problem(const CallTransition& t, const CallStateMachine& calls);

    Identity identity_;
    KnownPeers known_;
    std::optional<SrtpSuite> suite_;  // none: we offer no keys when we call
    bool allow_unencrypted_;
    std::string key_log_;  // SALA_SRTP_KEYLOG, read once
    std::unique_ptr<CallKeys> keys_;
    std::optional<protocol::KeyOffer> peer_offer_;  // the caller's, while our invite rings
    std::unique_ptr<SrtpSession> srtp_;             // agreed, until the media takes it
    CallSecurity security_;
    std::string peer_;
};

}  // namespace sala::client
