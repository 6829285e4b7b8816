#pragma once
// The UDP socket of a client's media. In a call the media session reads it once per audio frame
// (drain), so packets cost no wake-ups of their own; the kernel's receive timestamp keeps the
// jitter measurement exact all the same. Between calls it wakes the engine when something
// arrives, to drop it (drop_strays). The engine's event loop watches the socket
// only while someone waits: a socket asio owned would stay in its epoll set and wake the
// engine thread for every packet, even with no operation pending.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include <sys/socket.h>

#include <asio.hpp>

namespace sala::client {

class MediaSocket {
public:
    using Clock = std::chrono::steady_clock;
    struct Datagram {
        std::span<const std::uint8_t> data;  // valid during the callback only
        asio::ip::udp::endpoint from;
        Clock::time_point arrival;  // when the kernel received it
        bool truncated = false;     // longer than kMaxDatagram: its start only
    };
    static constexpr std::size_t kMaxDatagram = 2048;

    // Opens a UDP socket on an ephemeral port of `address`; throws std::system_error.
    MediaSocket(asio::io_context& io, const asio::ip::address& address);
    ~MediaSocket();
    MediaSocket(const MediaSocket&) = delete;
    MediaSocket& operator=(const MediaSocket&) = delete;

    unsigned short port() const { return port_; }
    // Sends one datagram; UDP errors (an unreachable peer) are not reported: the peer's
    // silence is what the call notices.
    void send_to(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& to);
    // Calls each() for every datagram waiting now, at most `limit` of them; returns the count.
    std::size_t drain(const std::function<void(const Datagram&)>& each, std::size_t limit = 256);
    // Calls on_readable once, on the io_context's thread, when a datagram is waiting.
    void wait_readable(std::function<void()> on_readable);
    void stop_waiting();                       // a pending on_readable is not called
    bool waiting() const { return waiting_; }  // until on_readable runs or stop_waiting()
    // Between calls: reads and drops whatever arrives (late packets of the last call, strays),
    // woken by the socket, until stop_waiting().
    void drop_strays();
    void close();

private:
    static constexpr std::size_t kBatch = 8;  // datagrams per recvmmsg call
    asio::io_context& io_;
    int fd_ = -1;
    unsigned short port_ = 0;
    std::optional<asio::posix::stream_descriptor> watcher_;  // a dup of fd_, closed by stop_waiting()
    std::uint64_t wait_generation_ = 0;                      // tells a stale completion from the current wait
    bool waiting_ = false;
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> buffers_{};
    std::array<sockaddr_storage, kBatch> addresses_{};
    std::array<std::array<char, 64>, kBatch> controls_{};
};

}  // namespace sala::client
