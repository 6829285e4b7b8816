#include "stun_service.hpp"

#include <sys/socket.h>

#include <asio/experimental/as_tuple.hpp>

#include "sala/log.hpp"
#include "turn/channel_data.hpp"

namespace sala::server {
namespace {
using asio::ip::udp;
constexpr auto as_result = asio::experimental::as_tuple(asio::use_awaitable);

// Datagrams read per wake-up before the thread goes back to its other work.
constexpr int kBatch = 64;
constexpr auto kErrorRetryDelay = std::chrono::milliseconds(100);

// The address as a STUN client sees it: an IPv4 client of a dual-stack socket as IPv4.
stun::TransportAddress transport_address(const udp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (address.is_v4()) return stun::TransportAddress::v4(address.to_v4().to_bytes(), endpoint.port());
    return stun::TransportAddress::v6(address.to_v6().to_bytes(), endpoint.port());
}
}  // namespace

StunService::StunService(asio::io_context& io, std::string_view software) : socket_(io), responder_(software) {}

std::error_code StunService::open(const udp::endpoint& endpoint) {
    std::error_code ec;
    socket_.open(endpoint.protocol(), ec);
    if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified())
        socket_.set_option(asio::ip::v6_only(false), ec);  // dual stack, whatever net.ipv6.bindv6only says
    if (!ec) socket_.bind(endpoint, ec);
    if (!ec) socket_.non_blocking(true, ec);
    if (!ec) enlarge_receive_buffer();
    if (ec) {
        std::error_code ignored;
        socket_.close(ignored);
    }
    return ec;
}

// Every relayed call's packets from its clients arrive here: at 100 calls and 10 ms packets that
// is 20,000 datagrams a second, which the kernel's default buffer (208 KiB) holds for about 10 ms
// while the server's one thread is off the CPU. Root may pass net.core.rmem_max (SO_RCVBUFFORCE).
void StunService::enlarge_receive_buffer() {
    int wanted = kReceiveBuffer;
    if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) != 0)
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
    int granted = 0;
    socklen_t size = sizeof granted;
    ::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &granted, &size);
    if (granted >= kReceiveBuffer)
        log::info("stun", log::cat("UDP receive buffer ", granted / 1024, " KiB"));
    else
        log::warn("stun", log::cat("UDP receive buffer ", granted / 1024, " KiB, not ", kReceiveBuffer / 1024,
                                   " KiB: net.core.rmem_max caps it; a busy relay may drop packets (raise it, or run "
                                   "as root)"));
}

void StunService::start() {
    if (socket_.is_open()) asio::co_spawn(socket_.get_executor(), serve(), asio::detached);
}

void StunService::stop() {
    std::error_code ignored;
    socket_.close(ignored);
}

asio::awaitable<void> StunService::serve() {
    asio::steady_timer retry(socket_.get_executor());
    for (;;) {
        auto [ec] = co_await socket_.async_wait(udp::socket::wait_read, as_result);
        if (!socket_.is_open()) co_return;
        if (ec) {
            log::warn("stun", "waiting for datagrams failed: " + ec.message());
            retry.expires_after(kErrorRetryDelay);
            co_await retry.async_wait(as_result);
            continue;
        }
        for (int i = 0; i < kBatch; ++i) {
            udp::endpoint from;
            std::error_code read_error;
            // A datagram longer than the buffer arrives cut short and fails the length check.
            std::size_t size = socket_.receive_from(asio::buffer(datagram_), from, 0, read_error);
            if (read_error == asio::error::would_block || read_error == asio::error::try_again) break;
            if (read_error) continue;  // e.g. an ICMP error reported on the socket: nothing to answer
            answer(size, from);
        }
    }
}

void StunService::answer(std::size_t size, const udp::endpoint& from) {
    if (turn_ && size >= 4) {
        auto header = stun::parse_header(std::span<const std::uint8_t>(datagram_.data(), size));
        if (turn::starts_channel_data(datagram_[0]) || (header && header->method != stun::method::binding)) {
            ++counts_.turn;
            return turn_->from_udp(std::span<const std::uint8_t>(datagram_.data(), size), from);
        }
    }
    if (!answer_binding_) {
        ++counts_.dropped;
        return;
    }
    auto reply = responder_.respond(std::span<const std::uint8_t>(datagram_.data(), size), transport_address(from));
    switch (reply.verdict) {
        case stun::Verdict::answered:
        case stun::Verdict::answered_classic:
            ++counts_.answered;
            break;
        case stun::Verdict::bad_request:
        case stun::Verdict::unknown_attribute:
            ++counts_.errors;
            break;
        case stun::Verdict::indication:
            ++counts_.indications;
            break;
        case stun::Verdict::dropped:
            ++counts_.dropped;
            break;
    }
    if (reply.response.empty()) return;
    std::error_code ec;
    socket_.send_to(asio::buffer(reply.response.data(), reply.response.size()), from, 0, ec);
    if (ec) ++counts_.unsent;
}

std::string describe(const StunCounts& c) {
    return log::cat(c.answered, " binding requests answered, ", c.errors, " error responses, ", c.indications,
                    " indications ignored, ", c.dropped, " datagrams dropped, ", c.unsent, " responses not sent, ",
                    c.turn, " TURN messages");
}

}  // namespace sala::server
