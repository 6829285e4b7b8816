#include "turn_service.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include <asio/experimental/as_tuple.hpp>

#include "sala/log.hpp"

namespace sala::server {
namespace {
using asio::ip::udp;
constexpr auto as_result = asio::experimental::as_tuple(asio::use_awaitable);
constexpr int kBatch = 64;
constexpr auto kExpireEvery = std::chrono::seconds(1);
constexpr int kEvenAttempts = 16;   // ephemeral ports until an even one, when EVEN-PORT asks
constexpr int kRangeAttempts = 64;  // ports of --relay-ports tried per Allocate (others may hold some)

// The socket option that sets the DF bit on every datagram (IPv6: never fragment here, EMSGSIZE
// instead), and its value for "on".
struct DontFragmentOption {
    int level, name, on;
};
DontFragmentOption dont_fragment_option(const udp::socket& socket) {
    std::error_code ignored;
    if (socket.local_endpoint(ignored).protocol() == udp::v6()) return {IPPROTO_IPV6, IPV6_DONTFRAG, 1};
    return {IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO};
}
bool set_option(udp::socket& socket, const DontFragmentOption& option, int value) {
    return ::setsockopt(socket.native_handle(), option.level, option.name, &value, sizeof value) == 0;
}

asio::ip::address ip_of(const stun::TransportAddress& a) {
    if (a.family == stun::Family::ipv4) return asio::ip::address_v4({a.ip[0], a.ip[1], a.ip[2], a.ip[3]});
    return asio::ip::address_v6(a.ip);
}
}  // namespace

stun::TransportAddress transport_address(const asio::ip::address& ip, std::uint16_t port) {
    auto address = ip;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (address.is_v4()) return stun::TransportAddress::v4(address.to_v4().to_bytes(), port);
    return stun::TransportAddress::v6(address.to_v6().to_bytes(), port);
}

udp::endpoint udp_endpoint(const stun::TransportAddress& address, const udp& protocol) {
    auto ip = ip_of(address);
    if (ip.is_v4() && protocol == udp::v6()) ip = asio::ip::make_address_v6(asio::ip::v4_mapped, ip.to_v4());
    return {ip, address.port};
}

TurnService::TurnService(asio::io_context& io, turn::RelayLimits limits, std::string secret,
                         turn::CallPeerLookup call_peer, std::optional<asio::ip::address> public_address)
    : io_(io),
      relay_(*this, limits, std::move(secret), turn::random_nonce_key(), std::move(call_peer)),
      public_address_(public_address),
      expire_timer_(io) {}

void TurnService::attach_udp(udp::socket* socket) {
    udp_ = socket;
    std::error_code ec;
    auto local = socket->local_endpoint(ec);
    bind_ = local.address();
    port_ = local.port();
}

bool TurnService::is_own_port(const RelaySocket& relay, const stun::TransportAddress& peer) const {
    if (peer.port != port_) return false;
    auto ip = ip_of(peer);
    return ip == relay.relayed || ip == bind_ || ip.is_loopback() || ip.is_unspecified();
}

bool TurnService::supports(stun::Family family) const { return relay_bind(family).has_value(); }

// The address relay sockets of that family bind to: the server's own for its family; 0.0.0.0 for
// IPv4 beside a dual-stack "::"; none for IPv4 beside a given IPv6 address, or IPv6 beside IPv4.
std::optional<asio::ip::address> TurnService::relay_bind(stun::Family family) const {
    if (family == stun::Family::ipv4) {
        if (bind_.is_v4()) return bind_;
        if (bind_.is_unspecified()) return asio::ip::address_v4::any();
        if (bind_.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, bind_.to_v6());
        return std::nullopt;
    }
    if (bind_.is_v6() && !bind_.to_v6().is_v4_mapped()) return bind_;
    return std::nullopt;
}

// The relayed address's IP, as peers reach it: --public-address for IPv4; a bound address; else
// the address the kernel would send to the client from (loopback for a loopback client of the
// other family), or to anywhere of that family (no datagram is sent: connect() only picks a route).
std::optional<asio::ip::address> TurnService::relayed_ip(stun::Family family, const asio::ip::address& bind,
                                                         const stun::TransportAddress& client) {
    if (family == stun::Family::ipv4 && public_address_) return *public_address_;
    if (!bind.is_unspecified()) return bind;
    auto protocol = family == stun::Family::ipv4 ? udp::v4() : udp::v6();
    auto client_ip = ip_of(client);
    asio::ip::address toward = client_ip;
    if (client.family != family) {
        if (client_ip.is_loopback())
            return family == stun::Family::ipv4 ? asio::ip::address(asio::ip::address_v4::loopback())
                                                : asio::ip::address(asio::ip::address_v6::loopback());
        // Documentation addresses: a route to them is the default route.
        toward =
            family == stun::Family::ipv4 ? asio::ip::make_address("192.0.2.1") : asio::ip::make_address("2001:db8::1");
    }
    udp::socket probe(io_);
    std::error_code ec;
    probe.open(protocol, ec);
    if (!ec) probe.connect({toward, 9}, ec);
    auto local = ec ? asio::ip::address() : probe.local_endpoint(ec).address();
    if (ec || local.is_unspecified()) {
        if (!no_route_logged_)
            log::warn("turn", log::cat("no ", family == stun::Family::ipv4 ? "IPv4" : "IPv6",
                                       " address to relay from toward ", toward.to_string(), " (logged once)"));
        no_route_logged_ = true;
        return std::nullopt;
    }
    return local;
}

void TurnService::set_port_range(PortRange ports) {
    ports_ = ports;
    port_cursor_ = std::random_device{}() % ports.size();  // a restarted server does not reuse the last ports first
}

// The next port of the range, round robin (an even one if asked, when the range has one).
std::uint16_t TurnService::next_range_port(bool even) {
    for (std::size_t step = 0; step < 2; ++step) {
        const auto port = static_cast<std::uint16_t>(ports_->first + port_cursor_);
        port_cursor_ = (port_cursor_ + 1) % ports_->size();
        if (!even || port % 2 == 0) return port;
    }
    return static_cast<std::uint16_t>(ports_->first + port_cursor_);
}

void TurnService::start() { asio::co_spawn(io_, expire_loop(), asio::detached); }

void TurnService::stop() {
    stopped_ = true;
    expire_timer_.cancel();
    for (auto& [id, relay] : sockets_) {
        std::error_code ignored;
        relay.socket->close(ignored);
    }
    sockets_.clear();
}

asio::awaitable<void> TurnService::expire_loop() {
    while (!stopped_) {
        expire_timer_.expires_after(kExpireEvery);
        co_await expire_timer_.async_wait(as_result);
        if (stopped_) co_return;
        relay_.expire(turn::Clock::now());
    }
}

void TurnService::from_udp(std::span<const std::uint8_t> bytes, const udp::endpoint& from) {
    turn::ClientAddress client{turn::Transport::udp, transport_address(from.address(), from.port()), 0};
    relay_.from_client(client, bytes, turn::Clock::now());
}

void TurnService::from_tcp(std::uint64_t connection, const asio::ip::tcp::endpoint& from,
                           std::span<const std::uint8_t> frame) {
    turn::ClientAddress client{turn::Transport::tcp, transport_address(from.address(), from.port()), connection};
    auto header = stun::parse_header(frame);
    if (header && header->method == stun::method::binding) {
        // A Binding request on the TURN connection (libnice's keepalive; RFC 8656 answers it too).
        auto reply = binding_.respond(frame, client.address);
        if (!reply.response.empty() && tcp_send_) tcp_send_(connection, reply.response);
        return;
    }
    relay_.from_client(client, frame, turn::Clock::now());
}

void TurnService::tcp_closed(std::uint64_t connection, const asio::ip::tcp::endpoint& from) {
    relay_.client_gone({turn::Transport::tcp, transport_address(from.address(), from.port()), connection});
}

std::optional<turn::Clock::time_point> TurnService::tcp_allocation_expiry(std::uint64_t connection,
                                                                          const asio::ip::tcp::endpoint& from) const {
    return relay_.expiry_of({turn::Transport::tcp, transport_address(from.address(), from.port()), connection});
}

std::optional<stun::TransportAddress> TurnService::open_relay(turn::AllocationId id, const turn::ClientAddress& client,
                                                              const turn::RelaySocketRequest& request) {
    const bool even = request.even;
    auto bind = relay_bind(request.family);
    if (!bind) return std::nullopt;
    auto address = relayed_ip(request.family, *bind, client.address);
    if (!address) return std::nullopt;
    std::shared_ptr<udp::socket> socket;
    std::error_code ec;
    udp::endpoint local(*bind, 0);
    std::uint16_t port = 0;
    const int attempts =
        ports_ ? static_cast<int>(std::min<std::size_t>(ports_->size(), kRangeAttempts)) : kEvenAttempts;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (ports_) local.port(next_range_port(even));
        socket = std::make_shared<udp::socket>(io_);
        socket->open(local.protocol(), ec);
        // An IPv6 relay socket relays IPv6 only: no v4-mapped peer ever reaches the relay.
        if (!ec && local.protocol() == udp::v6()) socket->set_option(asio::ip::v6_only(true), ec);
        if (!ec) socket->bind(local, ec);
        if (ports_ && ec == asio::error::address_in_use) continue;  // taken: the next port of the range
        if (!ec) socket->non_blocking(true, ec);
        if (!ec) port = socket->local_endpoint(ec).port();
        if (ec || !even || port % 2 == 0) break;
    }
    if (!ec && request.dont_fragment &&
        !set_option(*socket, dont_fragment_option(*socket), dont_fragment_option(*socket).on))
        ec = std::error_code(errno, std::system_category());
    if (ec || (even && port % 2 != 0)) {
        if (!open_failed_logged_)  // once: a flood of Allocates must not flood the log
            log::warn("turn", "cannot open a relay socket: " +
                                  (ec == asio::error::address_in_use ? std::string("no port of --relay-ports is free")
                                   : ec                              ? ec.message()
                                                                     : std::string("no even port free")) +
                                  " (the Allocate gets 508; logged once)");
        open_failed_logged_ = true;
        return std::nullopt;
    }
    sockets_.emplace(id, RelaySocket{socket, request.dont_fragment, *address});
    asio::co_spawn(io_, read_relay(id, socket), asio::detached);
    return transport_address(*address, port);
}

void TurnService::close_relay(turn::AllocationId id) {
    auto it = sockets_.find(id);
    if (it == sockets_.end()) return;
    std::error_code ignored;
    it->second.socket->close(ignored);
    sockets_.erase(it);
}

asio::awaitable<void> TurnService::read_relay(turn::AllocationId id, std::shared_ptr<udp::socket> socket) {
    for (;;) {
        auto [ec] = co_await socket->async_wait(udp::socket::wait_read, as_result);
        if (!socket->is_open() || ec) co_return;
        for (int i = 0; i < kBatch && socket->is_open(); ++i) {
            udp::endpoint from;
            std::error_code read_error;
            std::size_t size = socket->receive_from(asio::buffer(datagram_), from, 0, read_error);
            if (read_error == asio::error::would_block || read_error == asio::error::try_again) break;
            if (read_error) continue;
            relay_.from_peer(id, transport_address(from.address(), from.port()),
                             std::span<const std::uint8_t>(datagram_.data(), size), turn::Clock::now());
        }
    }
}

void TurnService::send_to_peer(turn::AllocationId id, const stun::TransportAddress& peer,
                               std::span<const std::uint8_t> bytes, bool dont_fragment) {
    auto it = sockets_.find(id);
    if (it == sockets_.end()) return;
    udp::socket& socket = *it->second.socket;
    // The server's own port: a relayed datagram there would come back as a client's message from
    // the server's own address (a peer allowed the server's IP, as relay-to-relay calls need).
    if (is_own_port(it->second, peer)) return;
    std::error_code ignored;
    auto protocol = socket.local_endpoint(ignored).protocol();
    if (!dont_fragment || it->second.dont_fragment) {
        socket.send_to(asio::buffer(bytes.data(), bytes.size()), udp_endpoint(peer, protocol), 0, ignored);
        return;
    }
    // A Send indication's DONT-FRAGMENT: DF for its datagram alone (RFC 8656, 11.2); a datagram
    // that cannot have it is dropped.
    DontFragmentOption option = dont_fragment_option(socket);
    int before = 0;
    socklen_t size = sizeof before;
    if (::getsockopt(socket.native_handle(), option.level, option.name, &before, &size) != 0 ||
        !set_option(socket, option, option.on))
        return;
    socket.send_to(asio::buffer(bytes.data(), bytes.size()), udp_endpoint(peer, protocol), 0, ignored);
    set_option(socket, option, before);
}

void TurnService::send_to_client(const turn::ClientAddress& client, std::span<const std::uint8_t> bytes) {
    if (client.transport == turn::Transport::tcp) {
        if (tcp_send_) tcp_send_(client.connection, bytes);
        return;
    }
    if (!udp_ || !udp_->is_open()) return;
    std::error_code ignored;
    auto protocol = udp_->local_endpoint(ignored).protocol();
    udp_->send_to(asio::buffer(bytes.data(), bytes.size()), udp_endpoint(client.address, protocol), 0, ignored);
}

}  // namespace sala::server
