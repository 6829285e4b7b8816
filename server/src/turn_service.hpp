#pragma once
// sala-server's TURN relay on its sockets: the relay logic (turn/relay.hpp) fed from the UDP port
// (through StunService) and from TCP connections that speak TURN, with one UDP relay socket per
// allocation. asio inside: include only from the server's files.

#include <array>
#include <asio.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "server_options.hpp"
#include "stun/binding_responder.hpp"
#include "turn/relay.hpp"

namespace sala::server {

class TurnService final : public turn::RelayIo {
public:
    // Writes bytes on TCP connection `connection` (a Session the server owns).
    using TcpSend = std::function<void(std::uint64_t connection, std::span<const std::uint8_t> bytes)>;

    // The relayed IPv4 address given to clients is `public_address` if set, else the local address
    // that reaches the client.
    TurnService(asio::io_context& io, turn::RelayLimits limits, std::string secret, turn::CallPeerLookup call_peer,
                std::optional<asio::ip::address> public_address);

    // The STUN port's socket: the relay answers clients from it, and its address decides the
    // relay sockets' (IPv4 relays beside a dual-stack "::", IPv6 relays only beside IPv6).
    void attach_udp(asio::ip::udp::socket* socket);
    void set_tcp_sender(TcpSend send) { tcp_send_ = std::move(send); }
    // Relay sockets take ports from `ports` only (each family its own); when none is free there,
    // the Allocate gets 508. Without a range the kernel picks an ephemeral port.
    void set_port_range(PortRange ports);
    void start();
    void stop();

    void from_udp(std::span<const std::uint8_t> bytes, const asio::ip::udp::endpoint& from);
    // One framed message from a TURN connection; a Binding request is answered here, as on UDP.
    void from_tcp(std::uint64_t connection, const asio::ip::tcp::endpoint& from, std::span<const std::uint8_t> frame);
    void tcp_closed(std::uint64_t connection, const asio::ip::tcp::endpoint& from);
    // When the allocation on that TURN connection expires unless refreshed; nullopt: it has none.
    std::optional<turn::Clock::time_point> tcp_allocation_expiry(std::uint64_t connection,
                                                                 const asio::ip::tcp::endpoint& from) const;

    const turn::RelayCounts& counts() const { return relay_.counts(); }
    std::size_t allocations() const { return relay_.allocations(); }

    // RelayIo
    bool supports(stun::Family family) const override;
    std::optional<stun::TransportAddress> open_relay(turn::AllocationId id, const turn::ClientAddress& client,
                                                     const turn::RelaySocketRequest& request) override;
    void close_relay(turn::AllocationId id) override;
    void send_to_peer(turn::AllocationId id, const stun::TransportAddress& peer, std::span<const std::uint8_t> bytes,
                      bool dont_fragment) override;
    void send_to_client(const turn::ClientAddress& client, std::span<const std::uint8_t> bytes) override;

private:
    std::optional<asio::ip::address> relay_bind(stun::Family family) const;
    std::optional<asio::ip::address> relayed_ip(stun::Family family, const asio::ip::address& bind,
                                                const stun::TransportAddress& client);
    asio::awaitable<void> read_relay(turn::AllocationId id, std::shared_ptr<asio::ip::udp::socket> socket);
    asio::awaitable<void> expire_loop();
    std::uint16_t next_range_port(bool even);

    asio::io_context& io_;
    turn::Relay relay_;
    stun::BindingResponder binding_{"sala-server"};  // Binding requests on TURN connections
    asio::ip::address bind_;
    std::uint16_t port_ = 0;  // the STUN/TURN port
    std::optional<asio::ip::address> public_address_;
    asio::ip::udp::socket* udp_ = nullptr;
    TcpSend tcp_send_;
    struct RelaySocket {
        std::shared_ptr<asio::ip::udp::socket> socket;
        bool dont_fragment = false;  // DF on every datagram
        asio::ip::address relayed;   // its address as peers see it (a server address)
    };
    // True if `peer` is this server's own STUN/TURN port: a relay never sends there.
    bool is_own_port(const RelaySocket& relay, const stun::TransportAddress& peer) const;
    std::unordered_map<turn::AllocationId, RelaySocket> sockets_;
    asio::steady_timer expire_timer_;
    // A peer's datagram, read whole (the largest UDP payload) so that none arrives cut short.
    std::vector<std::uint8_t> datagram_ = std::vector<std::uint8_t>(65536);
    bool stopped_ = false;
    std::optional<PortRange> ports_;
    std::size_t port_cursor_ = 0;  // offset in ports_ of the next port to try
    bool open_failed_logged_ = false;
    bool no_route_logged_ = false;
};

// The address as STUN carries it: an IPv4 client of a dual-stack socket as IPv4.
stun::TransportAddress transport_address(const asio::ip::address& address, std::uint16_t port);
// The endpoint for a socket of `protocol` (an IPv4 address as v4-mapped on an IPv6 socket).
asio::ip::udp::endpoint udp_endpoint(const stun::TransportAddress& address, const asio::ip::udp& protocol);

}  // namespace sala::server
