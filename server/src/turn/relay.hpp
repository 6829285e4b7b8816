#pragma once
// The TURN relay's logic (RFC 8656) without sockets: long-term credentials from the REST
// convention, Allocate, Refresh, CreatePermission, ChannelBind, Send and Data indications and
// ChannelData, with bounds on allocations, permissions, channels, lifetime and bytes per second.
// It talks to its sockets through RelayIo; a CallPeerLookup says who a user is in a call with.
//
// The peer rule: user NAME's allocation may reach an IP only while NAME is in a call, and only an
// IP the server has evidence belongs to the other side of that call: its TCP connection's IP, or
// the relayed or client IP of one of that side's own allocations here (its credentials prove
// those). Candidates a client offers are not evidence: anyone can list a victim's IP.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "stun/stun_message.hpp"
#include "turn/allocation.hpp"
#include "turn/nonce.hpp"

namespace sala::server::turn {

inline constexpr std::string_view kRealm = "sala";
inline constexpr std::chrono::seconds kPermissionLifetime{300};  // RFC 8656, 9
inline constexpr std::chrono::seconds kChannelLifetime{600};     // RFC 8656, 12
// After a binding expires, its number and its peer stay reserved this long (RFC 8656, 12).
inline constexpr std::chrono::seconds kChannelReservation{300};
// An allocation whose client has sent nothing for this long gives way when its user, at the
// quota, allocates again: after a network change the old ones are unreachable until they expire,
// while the one a call uses hears its client every packet and every consent check (5 s).
inline constexpr std::chrono::seconds kStaleAfter{10};

struct RelayLimits {
    std::size_t max_allocations = 2000;
    std::size_t max_allocations_per_user = 4;  // a call's UDP and TCP relays, and room for a network change
    std::size_t bytes_per_second = 64 * 1024;  // per allocation, both directions together
    std::chrono::seconds default_lifetime{600};
    std::chrono::seconds max_lifetime{3600};
    std::size_t max_permissions = 8;
    std::size_t max_channels = 8;
};

// What an Allocate asks of its relay socket.
struct RelaySocketRequest {
    stun::Family family = stun::Family::ipv4;  // REQUESTED-ADDRESS-FAMILY (IPv4 unless asked)
    bool even = false;                         // EVEN-PORT: an even port number
    bool dont_fragment = false;                // DONT-FRAGMENT: the DF bit on every datagram to peers (IPV6_DONTFRAG)
};

// The sockets behind the relay (the server's TURN service, or a test).
class RelayIo {
public:
    virtual ~RelayIo() = default;
    // Whether relayed addresses of that family can be made (else Allocate gets 440).
    virtual bool supports(stun::Family family) const = 0;
    // Opens a UDP relay socket for the allocation on an ephemeral port, as `request` asks; its
    // address as the peers see it, or nullopt if none could be opened.
    virtual std::optional<stun::TransportAddress> open_relay(AllocationId id, const ClientAddress& client,
                                                             const RelaySocketRequest& request) = 0;
    virtual void close_relay(AllocationId id) = 0;
    // One datagram from the allocation's relay socket; with the DF bit if `dont_fragment` (a Send
    // indication's DONT-FRAGMENT), whatever the socket's own setting.
    virtual void send_to_peer(AllocationId id, const stun::TransportAddress& peer, std::span<const std::uint8_t>,
                              bool dont_fragment) = 0;
    virtual void send_to_client(const ClientAddress& client, std::span<const std::uint8_t> bytes) = 0;
};

// The other side of a user's current call, as the directory knows it.
struct CallPeer {
    std::string name;  // the name it registered (ASCII case aside, the NAME of its own usernames)
    std::string ip;    // the IP of its TCP connection to the server, in inet_ntop's text form
};
// Who user NAME is in a call with (ringing or answered); nullopt when in none. The registry answers.
using CallPeerLookup = std::function<std::optional<CallPeer>(std::string_view name)>;

struct RelayCounts {
    std::uint64_t allocations = 0;         // made
    std::uint64_t unauthenticated = 0;     // 401 and 438 answers
    std::uint64_t errors = 0;              // other error answers
    std::uint64_t forbidden = 0;           // 403: a peer that is not the user's call peer
    std::uint64_t to_peers = 0;            // datagrams relayed to peers
    std::uint64_t to_clients = 0;          // datagrams relayed to clients
    std::uint64_t over_rate = 0;           // datagrams dropped by the rate limit
    std::uint64_t without_permission = 0;  // datagrams dropped for want of a permission or channel
    std::uint64_t dropped = 0;             // messages ignored: malformed, or no allocation
    std::uint64_t oversized = 0;           // peers' datagrams too big for a message to the client
    std::uint64_t stale = 0;               // allocations released for a new one of their user (kStaleAfter)
};

class Relay {
public:
    // `secret`: the REST credentials' shared secret; `nonce_key`: any bytes, fresh per run.
    Relay(RelayIo& io, RelayLimits limits, std::string secret, std::string nonce_key, CallPeerLookup call_peer);

    // One STUN or ChannelData message from a client (a UDP datagram or one framed TCP message).
    // Binding requests are not the relay's: the caller answers those.
    void from_client(const ClientAddress& client, std::span<const std::uint8_t> bytes, Clock::time_point now);
    // One datagram that arrived on an allocation's relay socket, whole: one whose message to the
    // client would pass kMaxMessageSize is dropped and counted (oversized).
    void from_peer(AllocationId id, const stun::TransportAddress& peer, std::span<const std::uint8_t> bytes,
                   Clock::time_point now);
    // Removes expired allocations, permissions and channels, and permissions the peer rule no
    // longer allows (the call ended, the peer's allocation went). Call it about once a second.
    void expire(Clock::time_point now);
    // A TCP connection closed: its allocation goes with it.
    void client_gone(const ClientAddress& client);

    // When the allocation of this 5-tuple expires unless refreshed; nullopt: it has none.
    std::optional<Clock::time_point> expiry_of(const ClientAddress& client) const;

    std::size_t allocations() const { return allocations_.size(); }
    const RelayCounts& counts() const { return counts_; }
    // The Unix clock the credentials' expiry is read with (the system clock unless a test sets one).
    void set_unix_clock(std::function<std::int64_t()> clock) { unix_clock_ = std::move(clock); }

private:
    struct Request;
    void request(const ClientAddress& client, const stun::Message& message, Clock::time_point now);
    void on_allocate(Request& r, Clock::time_point now);
    void on_refresh(Request& r, Allocation& a, Clock::time_point now);
    void on_create_permission(Request& r, Allocation& a, Clock::time_point now);
    void on_channel_bind(Request& r, Allocation& a, Clock::time_point now);
    void on_send(const ClientAddress& client, const stun::Message& message, Clock::time_point now);
    void on_channel_data(Allocation* a, std::span<const std::uint8_t> bytes, Clock::time_point now);
    bool add_permission(Allocation& a, const PeerIp& ip, Clock::time_point now);
    bool may_reach(const Allocation& a, const PeerIp& ip) const;  // the peer rule
    void remove(AllocationId id);
    Allocation* allocation_of(const ClientAddress& client);

    void answer(const Request& r, stun::MessageBuilder& out);
    void error(const Request& r, const stun::ErrorReason& reason, bool with_integrity);
    void challenge(const Request& r, const stun::ErrorReason& reason);  // 401 or 438 with REALM, NONCE

    RelayIo& io_;
    RelayLimits limits_;
    std::string secret_;
    NonceIssuer nonces_;
    CallPeerLookup call_peer_;
    std::function<std::int64_t()> unix_clock_;
    std::unordered_map<AllocationId, Allocation> allocations_;
    std::map<ClientAddress, AllocationId> by_client_;
    // Allocations by user: NAME with ASCII letters in lower case, as the directory compares names.
    std::unordered_map<std::string, std::vector<AllocationId>> by_user_;
    AllocationId next_id_ = 1;
    RelayCounts counts_;
    std::array<std::uint8_t, stun::kMaxMessageSize> out_{};
};

}  // namespace sala::server::turn
