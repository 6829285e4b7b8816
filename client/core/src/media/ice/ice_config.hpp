#pragma once
// What one call's ICE transport is told (servers, role, address families) and what it reports
// (credentials, state, the selected path).

#include <optional>
#include <string>
#include <vector>

namespace sala::client {

// A STUN server (username empty) or a TURN relay reached over UDP or TCP.
struct IceServer {
    std::string host;  // an IP address or a name (resolved on the ICE thread)
    unsigned short port = 0;
    std::string username, password;
    bool tcp = false;  // TURN only: reach the relay over TCP (networks without UDP)
};

// How one call's ICE agent gathers and checks.
struct IceConfig {
    bool controlling = false;  // the caller controls (nominates)
    std::optional<IceServer> stun;
    std::vector<IceServer> turn;
    bool ipv6 = true;
    // Signal only relayed candidates and check only from them (libnice's "force-relay"): hides
    // the local addresses, and forces the relay in tests.
    bool relay_only = false;
    // Host candidates on these addresses only; empty: every interface libnice finds (it skips
    // loopback when another interface is up).
    std::vector<std::string> local_addresses;
};

// Short-term credentials of one side (RFC 8445 section 5.3).
struct IceCredentials {
    std::string ufrag, pwd;
};

enum class IcePath { none, direct, relayed, relayed_tcp };

// The pair ICE selected: its candidate types ("host", "srflx", "prflx", "relay") and the peer's
// address as "ip:port" ("[ip6]:port").
struct IceSelection {
    IcePath path = IcePath::none;
    std::string local_type, remote_type;
    std::string remote_address;
};

enum class IceState { gathering, checking, connected, failed };

const char* to_string(IcePath path);    // "none", "direct", "relayed", "relayed-tcp"
const char* to_string(IceState state);  // "gathering", "checking", "connected", "failed"

}  // namespace sala::client
