#pragma once
// sala-server's settings, from its command-line flags.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "sala/cli_flags.hpp"
#include "sala/protocol.hpp"

namespace sala::server {

struct ServerOptions {
    std::string bind = "0.0.0.0";
    std::uint16_t port = protocol::kDefaultPort;
    std::optional<std::size_t> max_clients;  // default: what the open-file limit allows
    std::chrono::seconds invite_timeout{30};
    std::chrono::seconds idle_timeout{30};
    bool stun = true;  // answer STUN Binding requests on UDP at the listener's port number
};

// The flags sala-server accepts.
FlagParser server_flags();
// The options, or a one-line error naming the flag.
std::variant<ServerOptions, std::string> options_from_flags(const ParsedFlags& flags);

// File descriptors kept for things other than clients (stdio, epoll, timers, acceptor).
inline constexpr std::size_t kReservedDescriptors = 32;
// Connections allowed beyond max-clients, so a full server can still answer server_full.
inline constexpr std::size_t kSpareConnections = 64;

// Raises the open-file soft limit to the hard limit; returns the soft limit now in force.
std::size_t raise_open_file_limit();
// How many registered clients that many descriptors can hold.
std::size_t client_capacity(std::size_t open_file_limit);

}  // namespace sala::server
