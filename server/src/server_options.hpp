#pragma once
// sala-server's settings, from its command-line flags.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "cluster/redis_address.hpp"
#include "sala/cli_flags.hpp"
#include "sala/protocol.hpp"
#include "tls/server_certificate.hpp"

namespace sala::server {

inline constexpr int kDefaultNameExpiryDays = 180;

// UDP ports a relay allocation may take, first to last (both included).
struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    std::size_t size() const { return std::size_t{last} - first + 1; }
};

struct ServerOptions {
    std::string bind = "::";  // dual stack (IPv4 clients as v4-mapped); 0.0.0.0 on a host without IPv6
    bool bind_given = false;  // --bind was given: no falling back to 0.0.0.0
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
    std::size_t max_allocations_per_user = 4;
    std::optional<PortRange> relay_ports;  // default: the kernel's ephemeral range
    std::string data_dir;                  // the name bindings' database; default_data_dir() unless given
    std::chrono::seconds name_expiry{
        std::chrono::days(kDefaultNameExpiryDays)};    // a bound name unused this long is freed
    std::optional<std::string> release_name;           // --release-name: free this name in data_dir and exit
    std::optional<tls::CertificateFiles> certificate;  // --cert and --key; default: self-signed in data_dir
    bool insecure_plaintext = false;                   // plain lines accepted too (loopback binds only)
    std::optional<cluster::RedisAddress> redis;        // --redis: one node of a cluster sharing this Redis
    std::string redis_password;                        // from --redis-password-file; never logged
};

// The flags sala-server accepts.
FlagParser server_flags();
// The options, or a one-line error naming the flag.
std::variant<ServerOptions, std::string> options_from_flags(const ParsedFlags& flags);

// The secret in FILE (its first line), or a one-line error starting with `flag`: the file must
// exist, be readable, hold a non-empty secret and be readable and writable by its owner only (mode
// 0600 or stricter).
std::variant<std::string, std::string> read_secret_file(const std::string& path, bool& ok,
                                                        std::string_view flag = "--turn-secret-file");

// File descriptors kept for things other than clients (stdio, epoll, timers, acceptor).
inline constexpr std::size_t kReservedDescriptors = 32;
// Connections allowed beyond max-clients, so a full server can still answer server_full.
inline constexpr std::size_t kSpareConnections = 64;

// True if this host can use IPv6: an IPv6 UDP socket can bind the loopback ::1 (false when the
// kernel has no IPv6, or it is disabled on lo).
bool host_has_ipv6();

// Raises the open-file soft limit to the hard limit; returns the soft limit now in force.
std::size_t raise_open_file_limit();
// How many registered clients that many descriptors can hold.
std::size_t client_capacity(std::size_t open_file_limit);

// The open-file limit shared between clients (a TCP connection each) and TURN allocations (a UDP
// socket each), so that the relay refuses an Allocate (508) before accept() runs out of descriptors.
struct DescriptorPlan {
    std::size_t clients = 0;      // registered clients at once
    std::size_t allocations = 0;  // TURN allocations at once: at most the asked --max-allocations
};
// With --max-clients given, allocations get what the clients leave; without, they get up to half.
DescriptorPlan plan_descriptors(std::size_t open_file_limit, std::optional<std::size_t> max_clients,
                                std::size_t max_allocations);

}  // namespace sala::server
