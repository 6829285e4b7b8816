#pragma once
// What front ends ask the engine to do; posted to the engine thread, never run on the caller's.

#include <string>
#include <variant>

#include "sala/protocol.hpp"

namespace sala::client {

struct ConnectCommand {
    std::string host;
    unsigned short port = protocol::kDefaultPort;
    std::string name;
};
struct DisconnectCommand {};
struct CallCommand {
    std::string peer;
};
struct AcceptCommand {};
struct RejectCommand {};
struct HangupCommand {};
struct MuteCommand {
    bool muted = true;
};
// Chooses what is sent and what is heard (specs as in sala-cli --audio-in / --audio-out);
// applies at once during a call.
struct AudioCommand {
    std::string input;
    std::string output;
};

// The user trusts this certificate fingerprint for the server of the last ConnectCommand (the
// window's answer to Snapshot::server_trust): the connection is tried again, and the certificate
// pinned when the server presents it.
struct TrustServerCommand {
    std::string fingerprint;
};

// How loud what the microphone sends and what the speaker plays are: 0 silent, 1 as they are,
// up to 2 (twice, clipped at full scale). Applies at once and to later calls.
struct VolumeCommand {
    float microphone = 1.0f;
    float speaker = 1.0f;
};

// The user has looked at the call history: its missed calls are no longer counted as new.
struct SeenCallsCommand {};

using Command =
    std::variant<ConnectCommand, DisconnectCommand, CallCommand, AcceptCommand, RejectCommand, HangupCommand,
                 MuteCommand, AudioCommand, TrustServerCommand, SeenCallsCommand, VolumeCommand>;

}  // namespace sala::client
