#pragma once
// What front ends ask the engine to do; posted to the engine thread, never run on the caller's.

#include <optional>
#include <string>
#include <variant>

#include "sala/client/media_options.hpp"
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
// Chooses what is sent and what is heard (specs as in sala-cli --audio-in / --audio-out), and
// the voice processing of the microphone (unset: as it was); applies at once during a call.
struct AudioCommand {
    std::string input;
    std::string output;
    std::optional<VoiceOptions> voice;
};

// The user trusts this certificate fingerprint for the server of the last ConnectCommand (the
// window's answer to Snapshot::server_trust): the connection is tried again, and the certificate
// pinned when the server presents it.
struct TrustServerCommand {
    std::string fingerprint;
};

using Command = std::variant<ConnectCommand, DisconnectCommand, CallCommand, AcceptCommand, RejectCommand,
                             HangupCommand, MuteCommand, AudioCommand, TrustServerCommand>;

}  // namespace sala::client
