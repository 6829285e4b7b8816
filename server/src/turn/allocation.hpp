#pragma once
// One TURN allocation (RFC 8656, 2.2): the client's 5-tuple, its relayed address, its
// permissions and channel bindings, each with a lifetime, and its rate limit.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "stun/integrity.hpp"
#include "stun/stun_message.hpp"
#include "turn/token_bucket.hpp"

namespace sala::server::turn {

using Clock = std::chrono::steady_clock;
using AllocationId = std::uint64_t;

enum class Transport : std::uint8_t { udp, tcp };

// Where a client's TURN messages come from: its address, and for TCP the connection they came
// on (over TCP the connection, not the address, is the 5-tuple's identity).
struct ClientAddress {
    Transport transport = Transport::udp;
    stun::TransportAddress address;
    std::uint64_t connection = 0;  // 0 over UDP
    bool operator==(const ClientAddress&) const = default;
};
bool operator<(const ClientAddress& a, const ClientAddress& b);

// An IP address without a port, as permissions hold them.
struct PeerIp {
    stun::Family family = stun::Family::ipv4;
    std::array<std::uint8_t, 16> ip{};
    static PeerIp of(const stun::TransportAddress& address) { return {address.family, address.ip}; }
    bool operator==(const PeerIp&) const = default;
};
// The IP in the text form inet_ntop gives (what the registry compares with).
std::string to_string(const PeerIp& ip);

struct Permission {
    PeerIp ip;
    Clock::time_point expiry;
};

struct ChannelBinding {
    std::uint16_t number = 0;
    stun::TransportAddress peer;
    Clock::time_point expiry;
};

struct Allocation {
    AllocationId id = 0;
    ClientAddress client;
    std::string username;  // "EXPIRY:NAME"
    std::string name;      // NAME
    stun::LongTermKey key{};
    stun::TransportAddress relayed;
    Clock::time_point expiry;
    Clock::time_point last_heard;                // the client's last message or ChannelData
    stun::TransactionId allocate_transaction{};  // a retransmitted Allocate gets the same answer
    std::vector<Permission> permissions;
    std::vector<ChannelBinding> channels;
    TokenBucket bucket;

    const Permission* permission(const PeerIp& ip, Clock::time_point now) const;
    const ChannelBinding* channel(std::uint16_t number, Clock::time_point now) const;
    const ChannelBinding* channel_to(const stun::TransportAddress& peer, Clock::time_point now) const;
};

}  // namespace sala::server::turn
