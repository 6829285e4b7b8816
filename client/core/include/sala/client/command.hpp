#pragma once
// What front ends ask the engine to do; posted to the engine thread, never run on the caller's.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sala/client/media_options.hpp"
#include "sala/client/server_address.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

struct ConnectCommand {
    std::string host;
    unsigned short port = protocol::kDefaultPort;
    std::string name;
    // More nodes of the same cluster: the client starts at one of them all and moves to the next
    // when one cannot be reached or cannot register it.
    std::vector<ServerAddress> more;
};
// A ConnectCommand for a server field as typed ("host:port", or nodes "host1:5000,host2:5000");
// false with a one-line *error when the text is not a list of addresses.
bool make_connect_command(const std::string& servers, const std::string& name, ConnectCommand& out, std::string* error);
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
