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
    std::chrono::seconds resume_grace{protocol::kDefaultResumeGraceSeconds};  // 0: a lost connection leaves at once
    bool stun = true;                           // answer STUN Binding requests on UDP at the listener's port number
    bool relay = true;                          // a TURN relay on the same port numbers (UDP and TCP)
    std::optional<std::string> public_address;  // the host in welcome's TURN URIs and relayed addresses
    std::optional<std::string> turn_server;     // "turn:HOST:PORT" of an external relay (coturn)
    std::optional<std::string> turn_secret;     // from --turn-secret-file; else random per start
    std::size_t max_allocations = 2000;
    std::size_t max_allocations_per_user = 2;
};

// The flags sala-server accepts.
FlagParser server_flags();
// The options, or a one-line error naming the flag.
std::variant<ServerOptions, std::string> options_from_flags(const ParsedFlags& flags);

// The secret in FILE (its first line), or a one-line error: the file must exist, be readable,
// hold a non-empty secret and be readable and writable by its owner only (mode 0600 or stricter).
std::variant<std::string, std::string> read_secret_file(const std::string& path, bool& ok);

// File descriptors kept for things other than clients (stdio, epoll, timers, acceptor).
inline constexpr std::size_t kReservedDescriptors = 32;
// Connections allowed beyond max-clients, so a full server can still answer server_full.
inline constexpr std::size_t kSpareConnections = 64;

// Raises the open-file soft limit to the hard limit; returns the soft limit now in force.
std::size_t raise_open_file_limit();
// How many registered clients that many descriptors can hold.
std::size_t client_capacity(std::size_t open_file_limit);

}  // namespace sala::server
